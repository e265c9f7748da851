"""First-run steps shared by `teppan up` and `teppan db seed`."""

from __future__ import annotations

from core.db import make_engine, session_scope
from core.migrate import upgrade_database
from core.settings import Settings
from domain.demo_data import seed_demo_data


def seed(settings: Settings) -> bool:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(engine) as session:
            return seed_demo_data(
                session,
                business_name=settings.business_name,
                business_phone=settings.business_sms_number,
                owner_email=settings.admin_email,
                owner_password=settings.admin_password.get_secret_value(),
            )
    finally:
        engine.dispose()
