"""Emails in French: editors on each new submission, submitters on receipt and on decision.

Settings come from the given mapping (the app's config), then from the environment: SMTP_HOST,
SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, EDITORS_EMAIL and SMTP_SECURITY (`auto`:
STARTTLS when offered, `ssl` for port 465, `starttls` to require it, `none`). Without SMTP_HOST,
nothing is sent and the functions return False.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pasdeporte import schema, tracking, updates
from pasdeporte.metadata import clean_text

TIMEOUT = 20
SIGNATURE = "\n-- \nPas-de-porte, des commerces pour nos centres-bourgs\n"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail."""

    host: str
    port: int
    user: str
    password: str
    sender: str
    editors: tuple[str, ...]
    security: str


def settings(config: Mapping | None = None) -> SmtpSettings | None:
    """SMTP settings from `config` then the environment; None when SMTP_HOST is unset."""
    def get(key: str, default: str = "") -> str:
        value = (config or {}).get(key) or os.environ.get(key) or default
        return str(value).strip()

    if not get("SMTP_HOST"):
        return None
    port = int(get("SMTP_PORT", "25"))
    security = get("SMTP_SECURITY", "ssl" if port == 465 else "auto").lower()
    editors = tuple(a.strip() for a in get("EDITORS_EMAIL").split(",") if a.strip())
    sender = get("SMTP_FROM", "pas-de-porte@localhost")
    return SmtpSettings(get("SMTP_HOST"), port, get("SMTP_USER"), get("SMTP_PASSWORD"), sender,
                        editors, security)


def send(config: Mapping | None, to: list[str] | tuple[str, ...], subject: str, text: str) -> bool:
    """Send one plain-text message; False when mail is not configured or nobody to send to."""
    smtp = settings(config)
    recipients = [address for address in to if address]
    if smtp is None or not recipients:
        return False
    message = EmailMessage()
    message["Subject"] = clean_text(subject)
    message["From"] = smtp.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    message.set_content(text + SIGNATURE)
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        if smtp.security == "starttls" or (smtp.security == "auto"
                                           and client.has_extn("starttls")):
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(message)
    return True


def _place(meta: Mapping[str, str]) -> str:
    from pasdeporte import refdata

    if meta.get("Commune"):
        commune = refdata.commune(meta["Commune"])
        return f"{commune.name} ({commune.departement})" if commune else meta["Commune"]
    codes = schema.split_list(meta.get("Territories", ""), ",")
    areas = [refdata.territory(code) for code in codes]
    return ", ".join(area.name for area in areas if area) or "non précisé"


def _tell_editors(config: Mapping | None, subject: str, text: str, tracking_url: str) -> bool:
    """Send `text` to the editors (EDITORS_EMAIL), ending with the public tracking link if any."""
    smtp = settings(config)
    if tracking_url:
        text += f"\nSuivi public : {tracking_url}\n"
    return send(config, smtp.editors if smtp else (), subject, text)


def new_submission(config: Mapping | None, listing_meta: Mapping[str, str], reference: str,
                   tracking_url: str = "") -> bool:
    """Tell the editors (EDITORS_EMAIL) that a listing awaits review."""
    kind = schema.KINDS.get(listing_meta.get("Kind", ""), listing_meta.get("Kind", ""))
    title = listing_meta.get("Title", "")
    text = (f"Une nouvelle annonce attend votre relecture.\n\n"
            f"Référence : {reference}\nType : {kind}\nTitre : {title}\n"
            f"Lieu : {_place(listing_meta)}\n\n"
            f"Pour la relire :\n  scripts/review show {reference}\n"
            f"Pour la publier :\n  scripts/review approve {reference} --build\n"
            f"Pour la refuser :\n  scripts/review reject {reference} --reason \"…\"\n")
    return _tell_editors(config, f"Nouvelle annonce à relire : {title}", text, tracking_url)


def confirmation(config: Mapping | None, to: str, reference: str, title: str, tracking_url: str,
                 update_url: str = "") -> bool:
    """Acknowledge a submission, with the tracking link and the private update link."""
    text = (f"Bonjour,\n\nNous avons bien reçu votre annonce « {title} » (référence {reference}).\n"
            f"Un membre de l'équipe la relit avant publication ; vous recevrez un courriel "
            f"dès qu'elle sera publiée.\n\nSuivre votre annonce : {tracking_url}\n")
    if update_url:
        text += ("\nPlus tard, pour indiquer que des discussions sont en cours, que l'annonce est "
                 f"pourvue ou pour la retirer, utilisez ce lien personnel (ne le partagez pas) :\n"
                 f"{update_url}\n")
    return send(config, [to], f"Annonce reçue : {title}", text)


def decision(config: Mapping | None, to: str, reference: str, status: str, tracking_url: str,
             reason: str = "") -> bool:
    """Tell the submitter that their listing was published or rejected (tracking.* states)."""
    if status == tracking.PUBLISHED:
        subject = f"Votre annonce {reference} est publiée"
        text = (f"Bonjour,\n\nBonne nouvelle : votre annonce (référence {reference}) a été relue "
                f"et publiée. Elle sera visible sur le site dès sa prochaine mise à jour.\n\n"
                f"Suivi : {tracking_url}\n")
    elif status == tracking.REJECTED:
        subject = f"Votre annonce {reference} n'a pas été publiée"
        text = (f"Bonjour,\n\nVotre annonce (référence {reference}) a été relue mais n'a pas "
                f"été publiée, pour la raison suivante :\n\n{reason or 'non précisée'}\n\n"
                f"Vous pouvez proposer une nouvelle annonce corrigée.\nSuivi : {tracking_url}\n")
    else:
        raise ValueError(f"décision inconnue : {status}")
    return send(config, [to], subject, text)


def update_request(config: Mapping | None, reference: str, state: str, review_id: str,
                   tracking_url: str = "") -> bool:
    """Tell the editors that a submitter asked to change a published listing's state."""
    wish = updates.STATES.get(state, state)
    text = (f"L'auteur de l'annonce {reference} demande une mise à jour : {wish} "
            f"(State: {state}).\n\n"
            f"Pour la relire :\n  scripts/review show {review_id}\n"
            f"Pour l'appliquer :\n  scripts/review approve {review_id} --build\n")
    return _tell_editors(config, f"Mise à jour demandée : {reference}", text, tracking_url)
