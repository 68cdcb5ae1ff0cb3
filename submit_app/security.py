"""Security headers and French error pages (400, 403, 404, 405, 413, 429, 500)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
MESSAGES = {
    400: ("Requête invalide", "Le formulaire envoyé n'a pas pu être lu. Revenez en arrière et "
          "renvoyez-le."),
    403: ("Lien non valable", "Ce lien de modification n'est pas valable. Utilisez le lien "
          "personnel reçu par courriel, en entier, sans le modifier."),
    404: ("Page introuvable", "Cette adresse ne correspond à aucune page."),
    405: ("Méthode non autorisée", "Cette page ne s'utilise pas ainsi."),
    413: ("Envoi trop volumineux", "Les photos jointes dépassent la taille permise (4 photos de "
          "5 Mo au plus). Revenez en arrière avec le bouton « Précédent » de votre navigateur : "
          "ce que vous avez écrit y est en général conservé. Choisissez des photos plus petites."),
    429: ("Trop d'envois", "Vous avez envoyé beaucoup de formulaires en peu de temps. Patientez "
          "une minute, puis revenez en arrière et renvoyez le formulaire."),
    500: ("Erreur du service", "Un problème technique nous empêche d'enregistrer votre annonce. "
          "Réessayez dans quelques minutes."),
}


def error_page(code: int):
    """A small French error page with the given status."""
    title, message = MESSAGES.get(code, MESSAGES[400])
    return render_template("error.html", title=title, message=message, code=code), code


def add_headers(response):
    """Every answer of the app carries the security headers."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.method == "POST" or request.path.startswith(("/proposer", "/suivi")):
        # Forms and tracking pages hold what people typed: keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def handle_http(error: HTTPException):
    """French page for any HTTP error raised by Flask or Werkzeug."""
    return error_page(error.code or 500)


def handle_csrf(error: CSRFError):
    """Bad or missing CSRF token: 400, re-showing the form with what was typed when possible."""
    from submit_app import changes, views

    if request.endpoint in views.FORM_ENDPOINTS:
        return views.redisplay_after_csrf_error(), 400
    if request.endpoint == "changes.modify":
        return changes.redisplay_after_csrf_error()
    return error_page(400)


def init_app(app: Flask) -> None:
    """Register headers and error handlers."""
    app.after_request(add_headers)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
