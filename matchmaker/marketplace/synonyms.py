"""Words of circular procurement in English, Dutch and French, grouped by meaning.

The market index already knows the built-in product groups and strategies in all three
languages (`i18n.reference_names_in_all_languages`); listings, though, are written in
whichever language their author chose, and people search with everyday words that are
no built-in name: "stoelen" or "chaises" for chairs. Each row below is one concept; a
query word found in a row is also searched as every other word of that row, so a Dutch
query finds an English listing and the other way round.

This is data: to add a word, add it to its row (or a new row), lower-case, one word
per entry, singular and plural both when the plural is more than the singular with
-s, -es, -en, -x or -e added (those are found anyway: "chair" finds "chairs"). Leave out
words that mean something else in another of the languages ("bank", "location").
`tests/marketplace/test_synonyms.py` checks the rows stay well-formed.
"""
from __future__ import annotations

from functools import lru_cache

from .text import fold

# (English, Dutch, French): each a tuple of words.
CONCEPTS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    # Furniture
    (("furniture",), ("meubilair", "meubel", "meubels", "meubelen"), ("mobilier", "meuble", "meubles")),
    (("chair", "seat", "seating"), ("stoel", "stoelen", "zitmeubel", "zitmeubilair"), ("chaise", "chaises", "siege", "sieges")),
    (("table",), ("tafel", "tafels"), ("table", "tables")),
    (("desk", "workstation"), ("bureau", "bureaus", "werkplek", "werkplekken"), ("bureau", "bureaux")),
    (("cabinet", "cupboard"), ("kast", "kasten"), ("armoire", "armoires", "placard", "placards")),
    (("shelf", "shelves", "shelving"), ("rek", "rekken", "schap", "schappen"), ("etagere", "etageres", "rayonnage")),
    (("sofa", "couch"), ("zetel", "zetels"), ("canape", "canapes")),
    (("carpet", "rug"), ("tapijt", "vloerkleed"), ("tapis", "moquette")),
    (("mattress",), ("matras", "matrassen"), ("matelas",)),
    (("bed", "beds"), ("bed", "bedden"), ("literie",)),
    # Textile
    (("textile", "textiles", "fabric"), ("textiel", "stof", "stoffen"), ("textile", "textiles", "tissu", "tissus")),
    (("clothing", "clothes", "garment", "apparel"), ("kleding", "kledij", "kleren"), ("vetement", "vetements", "habillement")),
    (("uniform", "workwear"), ("uniform", "uniformen", "werkkleding", "werkkledij"), ("uniforme", "uniformes")),
    (("shoe", "footwear"), ("schoen", "schoenen", "schoeisel"), ("chaussure", "chaussures")),
    (("curtain", "drape"), ("gordijn", "gordijnen"), ("rideau", "rideaux")),
    (("linen", "towel", "towels"), ("linnen", "handdoek", "handdoeken"), ("linge", "serviette", "serviettes")),
    (("cotton",), ("katoen",), ("coton",)),
    (("wool",), ("wol",), ("laine",)),
    (("fibre", "fiber"), ("vezel", "vezels"), ("fibre", "fibres")),
    # ICT
    (("computer", "pc"), ("computer", "computers", "pc"), ("ordinateur", "ordinateurs")),
    (("laptop", "notebook"), ("laptop", "laptops", "notebook"), ("portable", "portables")),
    (("screen", "monitor", "display"), ("scherm", "schermen", "beeldscherm", "monitor"), ("ecran", "ecrans", "moniteur")),
    (("phone", "smartphone"), ("telefoon", "telefoons", "gsm", "smartphone"), ("telephone", "telephones", "smartphone")),
    (("printer",), ("printer", "printers", "drukker"), ("imprimante", "imprimantes")),
    (("server", "datacentre", "datacenter"), ("server", "servers", "datacenter"), ("serveur", "serveurs")),
    (("cable", "cabling"), ("kabel", "kabels", "bekabeling"), ("cable", "cables", "cablage")),
    (("battery", "batteries"), ("batterij", "batterijen", "accu"), ("batterie", "batteries")),
    (("software",), ("software", "programmatuur"), ("logiciel", "logiciels")),
    (("hardware", "equipment", "device"), ("apparatuur", "toestel", "toestellen"), ("materiel", "appareil", "appareils", "equipement")),
    # Construction and infrastructure
    (("construction", "building"), ("bouw", "gebouw", "gebouwen", "bouwen"), ("construction", "batiment", "batiments")),
    (("brick", "bricks"), ("baksteen", "bakstenen", "steen", "stenen"), ("brique", "briques")),
    (("concrete",), ("beton",), ("beton",)),
    (("insulation", "insulating"), ("isolatie", "isolatiemateriaal"), ("isolation", "isolant")),
    (("timber", "wood", "wooden"), ("hout", "houten"), ("bois",)),
    (("steel", "metal"), ("staal", "metaal"), ("acier", "metal")),
    (("glass", "glazing", "window"), ("glas", "beglazing", "raam", "ramen"), ("verre", "vitrage", "fenetre", "fenetres")),
    (("door", "doors"), ("deur", "deuren"), ("porte", "portes")),
    (("floor", "flooring"), ("vloer", "vloeren", "vloerbekleding"), ("sol", "sols", "plancher", "revetement")),
    (("roof", "roofing"), ("dak", "daken", "dakbedekking"), ("toit", "toiture", "toitures")),
    (("ceiling",), ("plafond", "plafonds"), ("plafond", "plafonds")),
    (("demolition", "dismantling"), ("sloop", "ontmanteling"), ("demolition", "demontage")),
    (("road", "roads", "pavement"), ("weg", "wegen", "wegenbouw", "verharding"), ("voirie", "chaussee")),
    (("asphalt",), ("asfalt",), ("asphalte", "enrobe")),
    # Catering, food and kitchens
    (("catering", "canteen"), ("catering", "kantine", "restauratie"), ("restauration", "cantine", "traiteur")),
    (("food", "meal", "meals"), ("voeding", "eten", "maaltijd", "maaltijden"), ("alimentation", "nourriture", "repas")),
    (("kitchen",), ("keuken", "keukens"), ("cuisine", "cuisines")),
    (("dishes", "tableware", "crockery"), ("servies", "vaatwerk"), ("vaisselle",)),
    (("cup", "cups", "mug"), ("beker", "bekers", "mok", "mokken"), ("tasse", "tasses", "gobelet", "gobelets")),
    (("coffee",), ("koffie",), ("cafe",)),
    (("water",), ("water",), ("eau",)),
    (("vending",), ("automaat", "automaten"), ("distributeur", "distributeurs")),
    # Packaging, waste, cleaning
    (("packaging", "package"), ("verpakking", "verpakkingen"), ("emballage", "emballages")),
    (("box", "boxes", "crate"), ("doos", "dozen", "krat", "kratten"), ("boite", "boites", "caisse", "caisses")),
    (("pallet",), ("pallet", "paletten"), ("palette", "palettes")),
    (("plastic", "plastics"), ("plastiek", "kunststof", "kunststoffen"), ("plastique", "plastiques")),
    (("paper", "cardboard"), ("papier", "karton"), ("papier", "carton")),
    (("waste", "refuse", "garbage"), ("afval",), ("dechet", "dechets")),
    (("bin", "container"), ("container", "vuilnisbak", "afvalbak"), ("poubelle", "poubelles", "conteneur")),
    (("compost", "composting"), ("compost", "composteren"), ("compost", "compostage")),
    (("cleaning",), ("schoonmaak", "reiniging", "poetsen"), ("nettoyage", "entretien")),
    (("detergent",), ("reinigingsmiddel", "zeep"), ("detergent", "savon", "lessive")),
    # Lighting, energy, mobility, office
    (("lighting", "lamp"), ("verlichting", "lamp", "lampen", "licht"), ("eclairage", "lampe", "lampes", "luminaire")),
    (("energy", "electricity"), ("energie", "elektriciteit", "stroom"), ("energie", "electricite")),
    (("solar",), ("zonne", "zonnepaneel", "zonnepanelen"), ("solaire", "solaires")),
    (("vehicle", "car", "cars"), ("voertuig", "voertuigen", "wagen", "auto", "autos"), ("vehicule", "vehicules", "voiture", "voitures")),
    (("bicycle", "bike", "cycling"), ("fiets", "fietsen"), ("velo", "velos")),
    (("tyre", "tyres"), ("autoband", "autobanden"), ("pneu", "pneus")),
    (("office",), ("kantoor", "kantoren"), ("bureau", "bureaux")),
    (("stationery",), ("kantoorbenodigdheden", "schrijfwaren"), ("papeterie", "fournitures")),
    (("toner", "cartridge"), ("toner", "cartridge", "inktpatroon"), ("toner", "cartouche", "cartouches")),
    # Circular practice
    (("secondhand",), ("tweedehands",), ("occasion",)),
    (("refurbished", "refurbishing", "refurbishment", "reconditioned", "remanufactured"), ("gereviseerd", "revisie", "opgeknapt"), ("reconditionne", "reconditionnement")),
    (("repair", "repairs", "repairable"), ("herstel", "herstellen", "reparatie", "repareerbaar"), ("reparation", "reparer", "reparable")),
    (("reuse", "reused", "reusing"), ("hergebruik", "hergebruikt"), ("reemploi", "reutilisation", "reutilise")),
    (("recycled", "recycling", "recycle"), ("gerecycleerd", "gerecycled", "recyclage", "recyclen"), ("recycle", "recycles", "recyclage")),
    (("rental", "rent", "lease", "leasing"), ("huur", "huren", "verhuur", "lease"), ("louer", "leasing")),
    (("sharing", "shared"), ("delen", "gedeeld"), ("partage", "partager")),
    (("maintenance", "servicing"), ("onderhoud",), ("maintenance", "entretien")),
    (("warranty", "guarantee"), ("garantie",), ("garantie",)),
    (("takeback",), ("terugname", "terugnemen"), ("reprise", "reprendre")),
    (("biobased", "biological"), ("biogebaseerd", "biologisch"), ("biosource", "biologique")),
    (("sustainable", "green"), ("duurzaam", "duurzame", "groen"), ("durable", "durables", "vert")),
    (("circular",), ("circulair", "circulaire"), ("circulaire", "circulaires")),
    (("procurement", "purchasing", "tender"), ("aankoop", "aankopen", "inkoop", "aanbesteding"), ("achat", "achats")),
)


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, frozenset[str]]:
    """Each folded word -> every word of the concepts it belongs to (itself included)."""
    table: dict[str, set[str]] = {}
    for row in CONCEPTS:
        words = {fold(w) for language in row for w in language}
        for word in words:
            table.setdefault(word, set()).update(words)
    return {word: frozenset(words) for word, words in table.items()}


ENDINGS = ("s", "es", "en", "x", "e")  # plural (and Dutch/French adjective) endings


def synonyms(word: str) -> frozenset[str]:
    """The other words that mean what `word` (folded) means; empty when none is known.

    A word not in the table is looked up without a plural ending: "desks" as "desk"."""
    table = synonym_table()
    if word not in table:
        for ending in ENDINGS:
            if word.endswith(ending) and word[:-len(ending)] in table:
                word = word[:-len(ending)]
                break
    return table.get(word, frozenset()) - {word}
