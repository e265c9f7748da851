"""Reading new bank lines from Plaid, on a Temporal Schedule and on demand.

The activity stores the lines, the cursor and, in the same transaction, one inbox event per new
payment; the inbox forwarder starts each payment's matching workflow after the commit. A sync
that fails part-way stores nothing, and the next one starts from the last stored cursor.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payments import PaymentActivities
    from domain.payments.payloads import BankSyncInput, BankSyncReport
    from workflows.policies import PROVIDER_RETRY

BANK_SYNC_SCHEDULE = "bank-sync"


@workflow.defn
class BankSyncWorkflow:
    @workflow.run
    async def run(self, request: BankSyncInput) -> BankSyncReport:
        return await workflow.execute_activity_method(
            PaymentActivities.sync_bank,
            request,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=PROVIDER_RETRY,
        )
