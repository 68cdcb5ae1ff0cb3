"""A reproducible synthetic corpus: N valid listings (opportunities and projects) in real communes.

Usage: `generate(content_dir, n, seed=1, today=None)` writes `opportunites/*.md` and
`projets/*.md` under `content_dir` with `pasdeporte.metadata.dumps`; the same seed and `today`
give the same files. Communes are drawn by population, text is assembled from phrase banks.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from pasdeporte import metadata, refdata
from pasdeporte.schema import format_number

# (NAF code, shop with its article, trade person, what the shop sells or does)
TRADES = (
    ("10.71C", "une boulangerie", "boulanger", "le pain, les viennoiseries et les pâtisseries"),
    ("10.71D", "une pâtisserie", "pâtissier", "les gâteaux, entremets et chocolats"),
    ("10.13B", "une charcuterie", "charcutier", "les terrines, saucissons et plats cuisinés"),
    ("47.22Z", "une boucherie", "boucher", "la viande de la région et la volaille"),
    ("47.11B", "une épicerie", "épicier", "l'alimentation générale et les produits locaux"),
    ("47.11C", "une supérette", "gérant de supérette", "les courses du quotidien"),
    ("47.23Z", "une poissonnerie", "poissonnier", "le poisson frais et les fruits de mer"),
    ("47.29Z", "une fromagerie", "fromager", "les fromages fermiers et les produits laitiers"),
    ("56.30Z", "un café", "cafetier", "le café, le bar et un point de rencontre"),
    ("56.10A", "un restaurant", "restaurateur", "une cuisine traditionnelle et un menu du jour"),
    ("47.73Z", "une pharmacie", "pharmacien", "les médicaments et le conseil de santé"),
    ("96.02A", "un salon de coiffure", "coiffeur", "la coiffure pour toute la famille"),
    ("96.02B", "un institut de beauté", "esthéticienne", "les soins de beauté et le bien-être"),
    ("47.76Z", "une boutique de fleurs", "fleuriste", "les fleurs, les plantes et les bouquets"),
    ("47.62Z", "une maison de la presse", "libraire-papetier", "les journaux et la papeterie"),
    ("47.26Z", "un bureau de tabac", "buraliste", "le tabac, la presse et le relais colis"),
    ("45.20A", "un garage", "mécanicien", "l'entretien et la réparation des voitures"),
    ("55.10Z", "un hôtel", "hôtelier", "l'hébergement des visiteurs et des saisonniers"),
    ("47.52A", "une quincaillerie", "quincaillier", "l'outillage, la droguerie et le jardin"),
    ("47.61Z", "une librairie", "libraire", "les livres, la jeunesse et les commandes"),
    ("47.78A", "un magasin d'optique", "opticien", "les lunettes et les lentilles"),
    ("47.71Z", "une boutique de vêtements", "commerçant en habillement", "les vêtements"),
    ("95.23Z", "une cordonnerie", "cordonnier", "la réparation des chaussures et la clé minute"),
)
PLACE_INTRO = (
    "{commune} compte {population} habitants, à quelques kilomètres de {bigger}.",
    "Commune de {population} habitants ({dep}), {commune} garde une vie de bourg animée.",
    "En pleine campagne ({dep}), {commune} accueille chaque semaine un marché.",
    "{commune} ({population} habitants) voit arriver de jeunes familles depuis quelques années.",
    "Située sur un axe passant, {commune} profite du passage des touristes en été.",
    "L'école, la maison de santé et la salle des fêtes font vivre le centre du bourg.",
)
NEED = (
    "Depuis le départ du dernier {person}, il faut vingt minutes de route pour {sells}.",
    "La commune cherche un {person} motivé pour proposer {sells} aux habitants et aux visiteurs.",
    "Le conseil municipal souhaite redonner vie au centre-bourg avec {shop} de qualité.",
    "Selon la chambre de commerce, il y a la place pour {shop} sur le territoire.",
    "Les habitants ont signé une pétition pour retrouver {shop} dans le village.",
)
PREMISES_TEXT = (
    "Le local de {surface} m² donne sur la rue principale, avec une vitrine refaite à neuf.",
    "La commune a racheté et rénové le local de {surface} m², aux normes d'accessibilité.",
    "Le local de {surface} m² comprend une surface de vente, une réserve et un laboratoire.",
    "Le bâtiment communal de {surface} m² dispose d'un stationnement et d'une cour de livraison.",
)
TERMS = (
    "Le loyer est fixé à {rent} € par mois, avec un accompagnement de la communauté de communes.",
    "Un loyer modéré de {rent} € par mois est proposé, les premiers mois pouvant être offerts.",
    "La mairie propose un bail commercial classique à {rent} € par mois.",
)
CLOSING = (
    "Les élus sont prêts à rencontrer les candidats et à faire visiter le local.",
    "Le commerce peut compter sur une clientèle fidèle et sur les entreprises voisines.",
    "Un dépôt de pain ou un point relais peuvent compléter l'activité.",
    "Le logement attenant facilite l'installation d'une famille.",
    "Les associations du village sont prêtes à relayer l'ouverture.",
)
PROJECT_TEXT = (
    "{person} depuis {years} ans, je souhaite m'installer à mon compte en milieu rural.",
    "Nous sommes un couple qui veut reprendre ou ouvrir {shop} dans un bourg vivant.",
    "Après {years} ans comme salarié, je cherche une commune qui soutienne mon projet ({shop}).",
    "Je recherche un local de préférence avec logement, dans {places}.",
    "Mon projet : proposer {sells}, avec des produits locaux et des horaires adaptés.",
    "Le financement est prêt et la banque a donné un accord de principe.",
    "Je peux m'installer rapidement et je suis ouvert aux tournées dans les hameaux.",
)
KIND_WEIGHTS = (("commerce-recherche", 4), ("local-disponible", 3), ("reprise", 3))
STATE_WEIGHTS = (("ouverte", 70), ("en-discussion", 15), ("pourvue", 10), ("retiree", 5))
PREMISES_BY_KIND = {"commerce-recherche": ("local-commercial",),
                    "local-disponible": ("local-commercial", "murs", "droit-au-bail"),
                    "reprise": ("fonds", "location-gerance", "murs")}


class _Pick:
    """Seeded choices over the corpus's tables; communes are drawn by population."""

    def __init__(self, seed: int, live: bool = False):
        self.rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
        self.live = live
        table = sorted(refdata.communes().values(), key=lambda c: c.code)
        self.communes = table
        self.cum = list(accumulate(max(c.population or 0, 1) for c in table))
        self.by_size: dict[str, list] = {}
        for c in sorted(table, key=lambda c: -(c.population or 0)):
            top = self.by_size.setdefault(c.departement, [])
            if len(top) < 2:
                top.append(c)

    def commune(self) -> refdata.Commune:
        return self.rng.choices(self.communes, cum_weights=self.cum)[0]

    def biggest(self, place: refdata.Commune) -> str:
        """Name of the most populous commune of the département other than `place`."""
        ranked = self.by_size[place.departement]
        return next((c.name for c in ranked if c is not place), place.name)

    def state(self, live: bool = False) -> str:
        """A listing state; only open ones (ouverte, en-discussion) for a live corpus."""
        return self.weighted(STATE_WEIGHTS[:2] if live or self.live else STATE_WEIGHTS)

    def weighted(self, pairs: tuple) -> str:
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]


def slugify(text: str) -> str:
    """Lowercase ASCII slug of a name: "L'Île-d'Yeu" → "l-ile-d-yeu"."""
    return re.sub(r"[^a-z0-9]+", "-", refdata.normalize(text)).strip("-")


def elided(name: str) -> str:
    """"de Pornic", "d'Allanche": the French preposition before a place name."""
    return f"d'{name}" if refdata.normalize(name)[:1] in "aeiouyh" else f"de {name}"


def _dates(pick: _Pick, today: date) -> dict[str, str]:
    published = today - timedelta(days=pick.rng.randrange(0, 730))
    dates = {"Date": published.isoformat()}
    if pick.rng.random() < 0.6:
        # Some expiries fall in the past: those listings must stay out of the search index.
        expires = published + timedelta(days=pick.rng.randrange(60, 540))
        if pick.live and expires < today:
            expires = today + timedelta(days=pick.rng.randrange(1, 365))
        dates["Expires"] = expires.isoformat()
    return dates


def opportunity(pick: _Pick, number: int, today: date, place=None, trade=None) -> tuple:
    """Metadata and body of one opportunity (optionally in a given commune, for a given trade)."""
    rng = pick.rng
    place = place or pick.commune()
    code, shop, person, sells = trade or rng.choice(TRADES)
    kind = pick.weighted(KIND_WEIGHTS)
    dep = refdata.departement(place.departement)
    bare = shop.split(" ", 1)[1]
    surface = rng.choice((25, 35, 45, 60, 75, 85, 95, 110, 130, 160, 190, 240, 320))
    rent = rng.choice((150, 250, 320, 450, 550, 700, 850, 1200, 1600))
    title = rng.choice((
        f"{place.name} recherche son {person}",
        f"{bare.capitalize()} à reprendre à {place.name}",
        f"Local de {surface} m² pour {shop} à {place.name}",
        f"Ouvrir {shop} au cœur de {place.name}",
        f"{place.name} ({dep.name}) : {shop} attend son {person}",
    ))[:120].strip()
    meta = {"Title": title, **_dates(pick, today), "Kind": kind, "Sector": code,
            "Reference": f"bench-op-{number:06d}", "State": pick.state(),
            "Commune": place.code, "Premises": rng.choice(PREMISES_BY_KIND[kind])}
    if rng.random() < 0.9:
        meta["Surface"] = format_number(surface)
    if kind != "reprise" or rng.random() < 0.3:
        meta["Rent"] = format_number(rent)
    if kind == "reprise":
        meta["Price"] = format_number(rng.choice((20000, 45000, 80000, 150000)))
    if rng.random() < 0.5:
        meta["Aids"] = "Trois mois de loyer offerts; Aide à l'installation de l'intercommunalité"
    meta |= {"Expectations": f"Ouverture au moins cinq jours sur sept; {sells}",
             "Contact_name": f"Mairie {elided(place.name)}"[:100],
             "Contact_email": f"mairie@{slugify(place.name)[:40]}.example.fr"}
    words = {"commune": place.name, "population": f"{place.population or 100:,}".replace(",", " "),
             "bigger": pick.biggest(place), "dep": dep.name, "person": person,
             "sells": sells, "shop": shop, "surface": surface, "rent": rent}
    body = [rng.choice(PLACE_INTRO), *rng.sample(NEED, 2), rng.choice(PREMISES_TEXT)]
    if "Rent" in meta:
        body.append(rng.choice(TERMS))
    body += rng.sample(CLOSING, 2)
    return meta, "\n\n".join(p.format(**words) for p in body)


def project(pick: _Pick, number: int, today: date, place=None, trade=None) -> tuple:
    """Metadata and body of one project (optionally looking around a commune, for a trade)."""
    rng = pick.rng
    place = place or pick.commune()
    code, shop, person, sells = trade or rng.choice(TRADES)
    options = [f"dep-{place.departement}", f"reg-{place.region}", place.code]
    if place.epci:
        options.append(place.epci)
    territories = rng.sample(options, rng.randint(1, 2))
    names = [refdata.territory(t).name for t in territories]
    low = rng.choice((30, 50, 60, 80, 100))
    meta = {"Title": f"{person.capitalize()} cherche une commune : {names[0]}"[:120].strip(),
            **_dates(pick, today), "Kind": "projet", "Sector": code,
            "Reference": f"bench-pr-{number:06d}", "State": pick.state(live=True),
            "Territories": ", ".join(territories), "Surface_min": format_number(low),
            "Surface_max": format_number(low + rng.choice((40, 80, 150)))}
    if rng.random() < 0.7:
        meta["Budget"] = format_number(rng.choice((15000, 40000, 80000, 120000)))
    meta["Experience"] = f"{rng.randint(3, 25)} ans de métier comme {person}"
    words = {"person": person.capitalize(), "years": rng.randint(3, 25), "shop": shop,
             "sells": sells, "places": " ou ".join(names)}
    return meta, "\n\n".join(p.format(**words) for p in rng.sample(PROJECT_TEXT, 4))


def generate(content_dir: Path, n: int, seed: int = 1, today: date | None = None,
             project_share: float = 0.25, match_share: float = 0.3,
             live: bool = False) -> list[Path]:
    """Write `n` listings under `content_dir`; a `match_share` of projects fit an opportunity.

    With `live`, every listing is open and unexpired (all of them reach the search index).
    """
    today, pick = today or date.today(), _Pick(seed, live)
    content_dir = Path(content_dir)
    for folder in ("opportunites", "projets"):
        (content_dir / folder).mkdir(parents=True, exist_ok=True)
    n_projects = round(n * project_share)
    written, anchors = [], []
    for number in range(n - n_projects):
        meta, body = opportunity(pick, number, today)
        anchors.append((refdata.commune(meta["Commune"]), meta["Sector"]))
        written.append(_write(content_dir / "opportunites", meta, body, number))
    for number in range(n_projects):
        place = trade = None
        if anchors and pick.rng.random() < match_share:
            # A matching pair: same trade, a territory that holds the opportunity's commune.
            place, sector = pick.rng.choice(anchors)
            trade = next(t for t in TRADES if t[0] == sector)
        meta, body = project(pick, number, today, place, trade)
        written.append(_write(content_dir / "projets", meta, body, number))
    return written


def _write(folder: Path, meta: dict, body: str, number: int) -> Path:
    path = folder / f"{slugify(meta['Title'])[:60].strip('-')}-{number}.md"
    path.write_text(metadata.dumps(meta, body), encoding="utf-8")
    return path
