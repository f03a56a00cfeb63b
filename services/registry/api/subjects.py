"""Subjects (chủ thể): registering, changing, reading and listing them."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.registry.api.deps import RegistryPart, may, visible
from services.registry.api.models import CommuneCode, ProvinceCode, Title, patch_changes
from services.registry.subjects.model import Subject
from shared.http.fields import EraDate, Name, PatchIn, Place
from shared.http.paging import Cursor, Limit, PageOut
from shared.identity.access import Scope
from shared.identity.auth import CurrentCaller
from shared.ocop.vocabulary import SubjectType

router = APIRouter()


class Person(BaseModel):
    """A representative or contact (người đại diện, người liên hệ)."""

    name: Name
    title: Title = Field("", examples=["Giám đốc"])
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 .-]{7,16}$")
    email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SubjectIn(BaseModel):
    type: SubjectType
    name: Name
    code: str = Field(max_length=40, description="Tax code (enterprise, cooperative) or "
                                                 "registration number")
    province: Place | None = Field(None, description="As it is named since 1 July 2025 "
                                                     "(or give province_code)")
    commune: Place | None = Field(None, description="The commune or ward as it is since 1 "
                                                    "July 2025 (or give commune_code); with "
                                                    "or without diacritics when that names "
                                                    "one commune of the province")
    province_code: ProvinceCode | None = None
    commune_code: CommuneCode | None = None
    district: Place | None = Field(None, description="Former district (huyện): required for "
                                                     "records made before 1 July 2025, "
                                                     "refused after")
    registered_on: EraDate | None = Field(None, description="Default: today")
    representatives: list[Person] = Field(default_factory=list, max_length=20)


class SubjectPatch(PatchIn):
    clearable = frozenset({"district"})

    name: Name | None = None
    code: str | None = Field(None, max_length=40)
    province: Place | None = None
    commune: Place | None = None
    province_code: ProvinceCode | None = None
    commune_code: CommuneCode | None = None
    district: Place | None = Field(None, description="null removes it")
    registered_on: EraDate | None = None
    representatives: list[Person] | None = Field(None, max_length=20)


class SubjectOut(SubjectIn):
    id: str
    version: int
    province: str
    commune: str
    """Official names (``shared.ocop.localities``)."""
    province_code: str | None
    commune_code: str | None
    """None only on a subject kept from before codes whose names name no single commune:
    ``locality_problem`` says why, and no commune officer sees it until corrected."""
    locality_problem: str | None = None


def _subject_out(subject: Subject) -> SubjectOut:
    return SubjectOut(id=subject.id, version=subject.version, type=subject.type,
                      name=subject.name, code=subject.code, province=subject.province,
                      commune=subject.commune, province_code=subject.province_code,
                      commune_code=subject.commune_code,
                      locality_problem=subject.locality_problem, district=subject.district,
                      registered_on=subject.registered_on,
                      representatives=[Person(**p) for p in subject.representatives])


@router.post("/subjects", tags=["subjects"], status_code=status.HTTP_201_CREATED,
             summary="Register a subject (chủ thể) (admin)", **may("subject.register"))
async def register_subject(registry: RegistryPart, body: SubjectIn,
                           caller: CurrentCaller
                           ) -> SubjectOut:
    return _subject_out(await registry.register_subject(caller, **body.model_dump()))


@router.patch("/subjects/{subject_id}", tags=["subjects"], summary="Change a subject (admin)",
              **may("subject.change"))
async def update_subject(registry: RegistryPart, subject_id: str, body: SubjectPatch,
                         caller: CurrentCaller
                         ) -> SubjectOut:
    return _subject_out(await registry.update_subject(caller, subject_id, patch_changes(body)))


@router.get("/subjects/{subject_id}", tags=["subjects"], summary="One subject",
            **may("subject.read", Scope.PATH))
async def get_subject(registry: RegistryPart, subject_id: str) -> SubjectOut:
    return _subject_out(await registry.subject(subject_id))


@router.get("/subjects", tags=["subjects"], **may("subject.read", Scope.LIST),
            summary="Subjects, optionally of one province; a producer sees its own, a "
                    "commune officer its commune's")
async def list_subjects(registry: RegistryPart, caller: CurrentCaller,
                        limit: Limit = 50, cursor: Cursor = None,
                        province: str | None = None) -> PageOut[SubjectOut]:
    found, next_cursor = await registry.subjects(visible("subject.read", caller), province,
                                                 limit=limit, after=cursor)
    return PageOut(items=[_subject_out(s) for s in found], next_cursor=next_cursor)
