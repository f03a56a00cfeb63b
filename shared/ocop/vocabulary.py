"""The OCOP words every service shares: subject types and the product groups of Decision
148/QĐ-TTg (2023). Events carry the codes; each service shows the names in Vietnamese or
English. The groups are data: a later decision adds a new table, never edits this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.i18n import N_, in_every_language


class SubjectType(StrEnum):
    """Loại chủ thể OCOP."""

    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"
    COOPERATIVE_GROUP = "cooperative_group"
    HOUSEHOLD_BUSINESS = "household_business"


def names(message: str) -> tuple[str, str]:
    """(Vietnamese, English): a term as events and answers name a code, both at once."""
    said = in_every_language(message)
    return said["vi"], said["en"]


SUBJECT_TYPE_NAMES: dict[SubjectType, tuple[str, str]] = {
    SubjectType.ENTERPRISE: names(N_("Enterprise")),
    SubjectType.COOPERATIVE: names(N_("Cooperative")),
    SubjectType.COOPERATIVE_GROUP: names(N_("Cooperative group")),
    SubjectType.HOUSEHOLD_BUSINESS: names(N_("Registered household business")),
}

RECOGNITION_LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "district": ("Cấp huyện", "District"),
    "province": ("Cấp tỉnh", "Province"),
    "central": ("Cấp trung ương", "Central (national)"),
}
"""Cấp công nhận: who recognised a certificate (rating's ``Level``), named."""

STEP_NAMES = {"harvest": N_("Harvest"), "processing": N_("Processing"),
              "lab_test": N_("Lab test"), "packing": N_("Packing"),
              "shipping": N_("Shipping"), "receiving": N_("Receiving"),
              "sensor_reading": N_("Measurement")}
"""A batch's steps (traceability's ``Step``), one name each on every page: the step a
producer records is the step a shopper reads when scanning the batch."""


@dataclass(frozen=True)
class ProductGroup:
    code: str
    name_vi: str
    name_en: str
    subgroups: dict[str, tuple[str, str]]
    """sub-group code -> (Vietnamese name, English name)"""


GROUPS_148_2023: dict[str, ProductGroup] = {g.code: g for g in (
    ProductGroup("food", "Thực phẩm", "Food", {
        "fresh_produce": ("Nông sản tươi sống (rau, củ, quả, hạt)",
                          "Fresh vegetables, fruits and nuts"),
        "processed_produce": ("Sản phẩm sơ chế, chế biến từ rau, củ, quả, hạt",
                              "Products processed from vegetables, fruits and nuts"),
        "grains": ("Gạo, ngũ cốc và sản phẩm sơ chế", "Rice, cereals and pre-processed grains"),
        "fresh_meat_eggs_milk": ("Thịt, trứng, sữa tươi", "Fresh meat, eggs and milk"),
        "processed_meat_seafood": ("Sản phẩm chế biến từ thịt, trứng, sữa, thủy sản",
                                   "Processed meat, egg, dairy and seafood products"),
        "seasonings": ("Gia vị (nước mắm, tương, muối…)", "Seasonings (fish sauce, sauces…)"),
        "tea": ("Chè và sản phẩm từ chè", "Tea and tea products"),
        "coffee_cocoa": ("Cà phê, ca cao", "Coffee and cocoa"),
        "honey_confectionery": ("Mật ong, bánh, mứt, kẹo", "Honey and confectionery"),
    }),
    ProductGroup("beverages", "Đồ uống", "Beverages", {
        "spirits": ("Rượu trắng", "White spirits"),
        "other_alcoholic": ("Đồ uống có cồn khác", "Other alcoholic beverages"),
        "non_alcoholic": ("Đồ uống không cồn", "Non-alcoholic beverages"),
    }),
    ProductGroup("herbal", "Dược liệu và sản phẩm từ dược liệu",
                 "Medicinal herbs and herbal products", {
        "herbs": ("Dược liệu", "Medicinal herbs"),
        "herbal_health": ("Thực phẩm chức năng, thuốc từ dược liệu",
                          "Herbal supplements and remedies"),
        "herbal_cosmetics": ("Mỹ phẩm từ dược liệu", "Herbal cosmetics"),
        "essential_oils": ("Tinh dầu và sản phẩm khác từ dược liệu",
                           "Essential oils and other herbal products"),
    }),
    ProductGroup("handicrafts", "Thủ công mỹ nghệ", "Handicrafts", {
        "household_decor": ("Thủ công mỹ nghệ gia dụng, trang trí",
                            "Household and decorative handicrafts"),
        "textiles": ("Vải và may mặc", "Textiles and garments"),
    }),
    ProductGroup("ornamental", "Sinh vật cảnh", "Ornamental plants and animals", {
        "flowers": ("Hoa", "Flowers"),
        "ornamental_plants": ("Cây cảnh", "Ornamental plants"),
        "ornamental_animals": ("Động vật cảnh", "Ornamental animals"),
    }),
    ProductGroup("tourism", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                 "Community tourism, eco-tourism and tourist sites", {
        "community_tourism": ("Du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                              "Community tourism, eco-tourism and tourist sites"),
    }),
)}


def group_names(group: str, subgroup: str | None = None) -> tuple[str, str]:
    """(Vietnamese, English) name of a group, or of its sub-group when given; the code
    itself for a code this table does not know (e.g. a 2019 group on an old record)."""
    found = GROUPS_148_2023.get(group)
    if found is None:
        return group, group
    if subgroup:
        return found.subgroups.get(subgroup, (subgroup, subgroup))
    return found.name_vi, found.name_en
