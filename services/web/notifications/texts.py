"""What each kind of notification says, in the person's language (the gettext catalog): a
title (the e-mail's subject, the inbox's headline) and lines that say what happened and
what to do next. Only what the message needs: the product, the decision, its note or
reason, a date; never another person's name, never a token."""

from __future__ import annotations

from dataclasses import dataclass

from services.web.notifications.model import Kind, Notification
from shared.i18n import N_, words
from shared.i18n.text import day_shown

STAGE_NAMES = {"idea": N_("Product idea"), "plan": N_("Business plan"),
               "dossier": N_("Dossier")}
DECIDERS = {"office": N_("the provincial OCOP office"), "commune": N_("the commune")}
ACCEPTED_NEXT = {
    "idea": N_("Next: propose the business plan from the product's page."),
    "plan": N_("Next: complete the dossier's documents and propose the dossier to the "
               "provincial office."),
    "dossier": N_("Next: submit the product for evaluation from its page."),
}
RETURNED_NEXT = {
    "idea": N_("Rework the product idea as the note asks, then propose it again to the "
               "commune."),
    "plan": N_("Rework the business plan as the note asks, then propose it again to the "
               "commune."),
    "dossier": N_("Complete or correct the dossier's documents as the note asks, then "
                  "propose the dossier again to the provincial office."),
}
ISSUED_TITLES = {
    "issued": N_("%(product)s is recognised as an OCOP product, %(stars)s stars"),
    "renewed": N_("The OCOP certificate of %(product)s is renewed"),
    "upgraded": N_("%(product)s is raised to %(stars)s stars"),
    "downgraded": N_("%(product)s is now rated %(stars)s stars"),
}
ALERT_NAMES = {"copied_serial": N_("A code that looks copied"),
               "unknown_serial": N_("A code never printed"),
               "unknown_lot": N_("A lot that does not exist"),
               "consumer_report": N_("A shopper reported a code")}
AN_ALERT = N_("A counterfeit alert")
"""An alert of a kind not named here yet."""
CONFIDENCE_NAMES = {"low": N_("low confidence"), "medium": N_("medium confidence"),
                    "high": N_("high confidence")}
KIND_NAMES = {
    Kind.STAGE_DECIDED: N_("A stage of a product's cycle decided"),
    Kind.IDENTITY_DECIDED: N_("A change of a product's identity decided"),
    Kind.CERTIFICATE_ISSUED: N_("A certificate issued, renewed or changed"),
    Kind.CERTIFICATE_EXPIRING: N_("A certificate nearing its end"),
    Kind.CERTIFICATE_REVOKED: N_("A certificate revoked"),
    Kind.CERTIFICATE_EXPIRED: N_("A certificate expired"),
    Kind.COUNTERFEIT_ALERT: N_("A counterfeit alert on a product's codes"),
    Kind.EVALUATION_OPENED: N_("A product to score"),
}
"""Each kind as the settings page lists it."""


@dataclass(frozen=True)
class Said:
    title: str
    lines: list[str]
    """What happened, then what to do next."""


def said(notification: Notification, lang: str) -> Said:
    """The notification in ``lang``."""
    _ = words(lang).gettext
    f = notification.facts
    product = f.get("product", "")
    match notification.kind:
        case Kind.STAGE_DECIDED:
            stage, by = _(STAGE_NAMES[f["stage"]]), _(DECIDERS[f["by"]])
            if f["status"] == "accepted":
                title = _("%(stage)s of %(product)s accepted", stage=stage, product=product)
                lines = [_("%(stage)s of «%(product)s» was accepted by %(by)s.", stage=stage,
                           product=product, by=by)]
                after = _(ACCEPTED_NEXT[f["stage"]])
            else:
                title = _("%(stage)s of %(product)s returned", stage=stage, product=product)
                lines = [_("%(stage)s of «%(product)s» was returned by %(by)s.", stage=stage,
                           product=product, by=by)]
                after = _(RETURNED_NEXT[f["stage"]])
            lines += [*_noted(f, lang), after]
        case Kind.IDENTITY_DECIDED:
            if f["approved"] == "yes":
                title = _("The change to %(product)s is accepted", product=product)
                lines = [_("The provincial OCOP office accepted the change you asked for: "
                           "«%(product)s» now carries it.", product=product)]
                lines += _noted(f, lang)
            else:
                title = _("The change to %(product)s is refused", product=product)
                lines = [_("The provincial OCOP office refused the change you asked for to "
                           "«%(product)s»; the product stays as it was.", product=product)]
                lines += [*_noted(f, lang), _(
                    "Correct what the note asks and send the change again from the "
                    "product's page.")]
        case Kind.CERTIFICATE_ISSUED:
            title = _(ISSUED_TITLES[f["how"]], product=product, stars=f["stars"])
            lines = [_("Certificate No. %(number)s, %(stars)s stars, valid until "
                       "%(until)s.", number=f["number"], stars=f["stars"],
                           until=day_shown(f["until"])),
                     _("Open the product's page to download the certificate and print its "
                       "labels.")]
        case Kind.CERTIFICATE_EXPIRING:
            title = _("The OCOP certificate of %(product)s ends on %(until)s", product=product,
                      until=day_shown(f["until"]))
            lines = [_("Certificate No. %(number)s (%(stars)s stars) is valid until "
                       "%(until)s.", number=f["number"], stars=f["stars"],
                           until=day_shown(f["until"])),
                     _("Apply for re-recognition before then, or the product may no longer "
                       "be presented as OCOP.")]
        case Kind.CERTIFICATE_REVOKED:
            title = _("The OCOP certificate of %(product)s is revoked", product=product)
            lines = [_("Certificate No. %(number)s was revoked on %(on)s.", number=f["number"],
                       on=day_shown(f["on"])),
                     _("Reason: %(reason)s", reason=f["reason"]),
                     _("The product may no longer be presented as OCOP: take the OCOP mark "
                       "off its packaging and listings. Ask the provincial OCOP office if "
                       "anything is unclear.")]
        case Kind.CERTIFICATE_EXPIRED:
            title = _("The OCOP certificate of %(product)s has expired", product=product)
            lines = [_("Certificate No. %(number)s ended on %(on)s without "
                       "re-recognition.", number=f["number"], on=day_shown(f["on"])),
                     _("The product may no longer be presented as OCOP. To be recognised "
                       "again, register it for a new evaluation.")]
        case Kind.COUNTERFEIT_ALERT:
            alert = _(ALERT_NAMES.get(f["alert"], AN_ALERT))
            title = _("Counterfeit alert on %(product)s", product=product)
            if f.get("confidence") in CONFIDENCE_NAMES:
                title += f" ({_(CONFIDENCE_NAMES[f['confidence']])})"
            lines = [_("%(alert)s: code %(code)s, seen on %(day)s.", alert=alert,
                       code=f["code"], day=day_shown(f["day"])),
                     _("Open the counterfeit alerts page to see its scans, and tell the "
                       "provincial OCOP office if the goods are not yours.")]
        case Kind.EVALUATION_OPENED:
            title = _("A product to score: %(product)s", product=product)
            lines = [_("«%(product)s» is open for scoring in the round %(round)s, until "
                       "%(closes)s.", product=product, round=f["round"],
                           closes=day_shown(f["closes"])),
                     _("Fill in your score sheet in the workspace.")]
    return Said(title, lines)


def _noted(facts: dict[str, str], lang: str) -> list[str]:
    note = facts.get("note", "").strip()
    return [words(lang).gettext("Note: %(note)s", note=note)] if note else []


def mail_body(notification: Notification, lang: str, base_url: str) -> tuple[str, str]:
    """The e-mail's subject and body: what happened, what to do next, the link."""
    _ = words(lang).gettext
    text = said(notification, lang)
    link = base_url.rstrip("/") + notification.link
    body = "\n\n".join([*text.lines, _("Open it in the workspace: %(link)s", link=link),
                        "—\n" + _("You receive this e-mail because your notification "
                                  "settings ask for it; change them in the workspace: "
                                  "%(link)s",
                                      link=base_url.rstrip("/") + "/notifications/settings")])
    return text.title, body + "\n"
