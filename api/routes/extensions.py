"""Staff extensions over REST (managers and the owner)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlmodel import Session

from api.auth import ManagerActor
from api.deps import SessionDep
from domain.staff import service
from domain.staff.models import Extension, StaffMember
from domain.staff.schemas import ExtensionCreate, ExtensionPublic, ExtensionUpdate
from domain.storable import RowId

router = APIRouter(prefix="/extensions", tags=["extensions"])


def _public(session: Session, extension: Extension) -> ExtensionPublic:
    out = ExtensionPublic.model_validate(extension)
    member = session.get(StaffMember, extension.staff_member_id)
    if member is not None:
        out.staff_name, out.staff_role = member.full_name, member.role
    return out


@router.get("", response_model=list[ExtensionPublic])
def list_extensions(session: SessionDep, _actor: ManagerActor) -> list[ExtensionPublic]:
    return [_public(session, extension) for extension in service.all_extensions(session)]


@router.post("", response_model=ExtensionPublic, status_code=status.HTTP_201_CREATED)
def create_extension(
    session: SessionDep, actor: ManagerActor, data: ExtensionCreate
) -> ExtensionPublic:
    return _public(session, service.create(session, data, actor))


@router.get("/{extension_id}", response_model=ExtensionPublic)
def get_extension(
    session: SessionDep, _actor: ManagerActor, extension_id: RowId
) -> ExtensionPublic:
    return _public(session, service.get(session, extension_id))


@router.patch("/{extension_id}", response_model=ExtensionPublic)
def update_extension(
    session: SessionDep, actor: ManagerActor, extension_id: RowId, data: ExtensionUpdate
) -> ExtensionPublic:
    return _public(session, service.update_extension(session, extension_id, data, actor))


@router.delete("/{extension_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_extension(session: SessionDep, actor: ManagerActor, extension_id: RowId) -> Response:
    service.delete(session, extension_id, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
