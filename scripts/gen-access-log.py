#!/usr/bin/env python3
"""Synthetic access log of a Finnish wellbeing services county's client system.

Every event says who looked at (or created, updated, printed, disclosed, exported) the
data of which client, when, in which unit and on what basis: the raw material of a log
inspection request (GDPR art. 15, Act on the Processing of Client Data in Healthcare and
Social Welfare 703/2023). All of it is invented; the identity codes are syntactically
valid but drawn at random.

    python3 scripts/gen-access-log.py --events 200000 --seed 7 --out /tmp/ev.ndjson
    python3 scripts/gen-access-log.py --subject 131052-308T --subject-events 3000 \\
        --suspect-user "Matti Esimerkki" > events.ndjson
    python3 scripts/gen-access-log.py --check /tmp/ev.ndjson

Output: one event a line, NDJSON (default) or CSV with a header, in chronological order,
event_id numbered in that order ("ev-000000001"...). Fields: event_id, occurred_at
(RFC 3339, Europe/Helsinki offset), subject_id, user_name, user_title, unit, action,
basis, recipient (NDJSON: only on "disclose" events; CSV: empty otherwise), register
(only with --registers), source. Values never contain '"' or '\\', so lines are put
together from pre-encoded pieces instead of json.dumps. The same arguments give the same
bytes; the pools of clients and users depend only on the seed, their sizes, the time
range and the subject, not on --events.

Model: clients have a lognormal activity weight (most have a few events, a few have
thousands), an age group (child / adult / elderly) that decides which units serve them,
and a period of clienthood. Users belong to one unit and one team; caseworkers have
their own caseload inside the team's clients and mostly open those, other roles work
from the team's or, in the 24-hour emergency service and the registry office, everyone's
clients. Office units work on weekdays during office hours, home care and housing
services every day from morning to late evening, the emergency service around the clock;
public holidays and July are quiet, some days are busier. Work comes in sessions (a
record opened, read, updated and printed within minutes: ~6 rows on average), with
occasional incidents (a crisis in one client's case: many workers of the unit within a
few days) and batches (a secretary exporting or disclosing dozens of records in a few
minutes). A planted --subject gets exactly --subject-events events, part of --events,
from its own units' workers and, if --suspect-user is given, about 1/80 of them from
that user, who works in an unrelated unit and looks in the evenings and at weekends too.

--check FILE validates a file (NDJSON, or CSV if the first line is the CSV header): all
fields present, valid identity codes, RFC 3339 times with the right Helsinki offset,
unique event ids, "recipient" exactly on disclosures; prints statistics; exits 1 on errors.

Python 3.11 standard library only. About 400,000 lines/s on one core of a 2-core EPYC
VM (20 million lines, 5.2 GB, in ~50 s); a fixed ~2-3 s goes to building the pools.
"""
import argparse
import bisect
import csv
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter
from statistics import NormalDist
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
TZ = ZoneInfo("Europe/Helsinki")
FIELDS = ["event_id", "occurred_at", "subject_id", "user_name", "user_title", "unit",
          "action", "basis", "recipient", "register", "source"]
ACTIONS = ("view", "create", "update", "print", "disclose", "export")

# --------------------------------------------------------------------------- names

FIRST_F = (
    "Anna", "Maria", "Tuula", "Päivi", "Anne", "Leena", "Sari", "Minna", "Tiina", "Riitta",
    "Laura", "Pirjo", "Marja", "Hanna", "Johanna", "Kaisa", "Elina", "Satu", "Heidi", "Katja",
    "Jenni", "Susanna", "Sanna", "Emilia", "Aino", "Noora", "Henna", "Pia", "Merja", "Eija",
    "Outi", "Kirsi", "Sini", "Niina", "Heli", "Mervi", "Maarit", "Terhi", "Jaana", "Tanja",
    "Elisa", "Essi", "Iida", "Veera", "Sofia", "Ella", "Kati", "Marika", "Ulla", "Helena",
    "Annika", "Linda", "Petra", "Milla", "Salla", "Suvi", "Anu", "Raija", "Seija", "Arja",
)
FIRST_M = (
    "Juha", "Timo", "Matti", "Kari", "Mikko", "Antti", "Jari", "Jukka", "Mika", "Markku",
    "Pekka", "Hannu", "Heikki", "Seppo", "Janne", "Ari", "Sami", "Ville", "Petri", "Marko",
    "Tuomas", "Jussi", "Lauri", "Teemu", "Joni", "Eero", "Olli", "Jani", "Tero", "Risto",
    "Aleksi", "Juho", "Henri", "Niko", "Joonas", "Esa", "Vesa", "Harri", "Kimmo", "Toni",
)
COMPOUND_F = ("Anna-Maria", "Marja-Leena", "Anna-Kaisa", "Pirjo-Liisa", "Maija-Liisa", "Anna-Liisa",
              "Sanna-Mari", "Eeva-Liisa", "Marja-Liisa", "Hanna-Mari", "Anna-Leena", "Riitta-Liisa")
COMPOUND_M = ("Juha-Pekka", "Jukka-Pekka", "Juha-Matti", "Jari-Pekka", "Ville-Veikko", "Antti-Jussi",
              "Mikko-Pekka", "Hannu-Pekka")
LAST = (
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
    "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
    "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Hiltunen",
    "Leinonen", "Miettinen", "Pelkonen", "Hirvonen", "Väisänen", "Aaltonen", "Manninen",
    "Kallio", "Koivisto", "Lehto", "Laaksonen", "Ojala", "Räsänen", "Nurmi", "Seppälä",
    "Leppänen", "Karvonen", "Peltonen", "Honkanen", "Hakala", "Vainio", "Anttila", "Kettunen",
    "Pesonen", "Toivonen", "Huttunen", "Moilanen", "Hyvönen", "Ketola", "Lindholm", "Lindqvist",
    "Nyberg", "Holmström", "Granström", "Björklund", "Eskola", "Rautiainen", "Partanen",
    "Ikonen", "Harju", "Kivelä", "Östman", "Sirén", "Pitkänen", "Tanskanen", "Kärkkäinen",
    "Räty", "Lappalainen", "Tiainen", "Oksanen", "Hyvärinen", "Kemppainen", "Kukkonen", "Lehtimäki",
    "Koponen", "Vesterinen", "Mustonen", "Niskanen", "Parviainen", "Rissanen", "Heiskanen", "Backman",
    "Blomqvist", "Sjöberg", "Ekholm", "Forsman", "Valtonen", "Suominen", "Ruotsalainen", "Nyström",
    "Hakkarainen", "Rantala", "Hokkanen", "Kauppinen", "Laakso", "Mäkitalo", "Väänänen", "Keränen",
    "Luoma", "Sundström", "Toivanen", "Seppänen", "Kokkonen", "Jääskeläinen", "Huhtala", "Rautio",
    "Vuorinen", "Kivinen", "Aalto", "Halonen", "Lindberg", "Juntunen", "Kaartinen", "Hiltula",
)

# --------------------------------------------------------------------------- organisation

OFFICE, EXTENDED, ALLDAY = 0, 1, 2   # working-time patterns

T_CHILD = {"sosiaalityöntekijä": 40, "sosiaaliohjaaja": 28, "perhetyöntekijä": 14,
           "johtava sosiaalityöntekijä": 5, "toimistosihteeri": 8, "psykologi": 3, "palveluohjaaja": 2}
T_ADULT = {"sosiaalityöntekijä": 40, "sosiaaliohjaaja": 36, "johtava sosiaalityöntekijä": 5,
           "toimistosihteeri": 9, "etuuskäsittelijä": 6, "palveluohjaaja": 4}
T_BENEFIT = {"etuuskäsittelijä": 60, "sosiaaliohjaaja": 18, "sosiaalityöntekijä": 14,
             "johtava sosiaalityöntekijä": 2, "toimistosihteeri": 6}
T_MENTAL = {"sairaanhoitaja": 35, "sosiaaliohjaaja": 22, "sosiaalityöntekijä": 15,
            "psykologi": 10, "lääkäri": 9, "johtava sosiaalityöntekijä": 3, "toimistosihteeri": 6}
T_DISAB = {"sosiaalityöntekijä": 38, "sosiaaliohjaaja": 30, "palveluohjaaja": 18,
           "johtava sosiaalityöntekijä": 4, "toimistosihteeri": 10}
T_ELDER = {"asiakasohjaaja": 50, "sosiaalityöntekijä": 18, "sairaanhoitaja": 18,
           "johtava sosiaalityöntekijä": 4, "toimistosihteeri": 10}
T_HOME = {"lähihoitaja": 68, "sairaanhoitaja": 16, "kotihoidon ohjaaja": 5,
          "fysioterapeutti": 4, "lääkäri": 2, "hoiva-avustaja": 5}
T_HOUSING = {"lähihoitaja": 66, "sairaanhoitaja": 18, "hoiva-avustaja": 12, "palveluohjaaja": 4}
T_EMERG = {"sosiaalityöntekijä": 52, "sosiaaliohjaaja": 38, "johtava sosiaalityöntekijä": 10}
T_HEALTH = {"sairaanhoitaja": 42, "lääkäri": 30, "terveydenhoitaja": 16, "osastonsihteeri": 12}
T_FAMILY = {"psykologi": 40, "sosiaalityöntekijä": 38, "toimistosihteeri": 12, "perhetyöntekijä": 10}
T_IMMIG = {"sosiaalityöntekijä": 40, "sosiaaliohjaaja": 40, "toimistosihteeri": 12, "palveluohjaaja": 8}
T_REGISTRY = {"toimistosihteeri": 55, "asiakirjasihteeri": 30, "kirjaaja": 15}

# Roles that carry a personal caseload (the others work from the team's clients).
CASEWORKERS = {"sosiaalityöntekijä", "sosiaaliohjaaja", "perhetyöntekijä", "psykologi",
               "palveluohjaaja", "etuuskäsittelijä", "asiakasohjaaja", "sairaanhoitaja",
               "lääkäri", "terveydenhoitaja"}
TITLE_ACTIVITY = {"lähihoitaja": 1.3, "toimistosihteeri": 1.2, "etuuskäsittelijä": 1.5,
                  "johtava sosiaalityöntekijä": 0.6, "fysioterapeutti": 0.7, "kirjaaja": 0.8}

# Action mixes: (view, create, update, print, disclose, export)
A_DEFAULT = (80, 6, 9, 3, 1.5, 0.5)
A_HOME = (74, 9, 15, 1, 0.3, 0.2)
A_BENEFIT = (78, 6, 9, 4, 2.5, 0.5)
A_EMERG = (78, 10, 9, 1, 2, 0)
A_REGISTRY = (40, 2, 3, 22, 23, 10)

# Disclosure recipients: name -> (weight, {basis: weight})
LAW = "lakisääteinen tehtävä"
R_GENERAL = {
    "Kela": (30, {LAW: 1}),
    "Poliisi": (8, {"virka-apu": 2, LAW: 1}),
    "Helsingin käräjäoikeus": (3, {"tuomioistuimen pyyntö": 1}),
    "Itä-Uudenmaan käräjäoikeus": (2, {"tuomioistuimen pyyntö": 1}),
    "Digi- ja väestötietovirasto": (5, {LAW: 1}),
    "Maahanmuuttovirasto": (2, {LAW: 1}),
    "Verohallinto": (1, {LAW: 1}),
    "Työllisyyspalvelut": (3, {"suostumus": 1}),
    "Ulosottolaitos": (1, {LAW: 1}),
    "HUS Helsingin yliopistollinen sairaala": (3, {"suostumus": 2, "hoitosuhde / asiakkuus": 1}),
    "Pirkanmaan hyvinvointialue": (2, {LAW: 1, "suostumus": 1}),
    "Aluehallintovirasto": (1, {LAW: 1}),
    "Eduskunnan oikeusasiamies": (0.3, {LAW: 1}),
}
R_CHILD = dict(R_GENERAL)
R_CHILD.update({
    "Poliisi": (14, {"virka-apu": 2, LAW: 1}),
    "Helsingin hallinto-oikeus": (6, {LAW: 1}),
    "Helsingin käräjäoikeus": (5, {"tuomioistuimen pyyntö": 1}),
    "Perusopetus, Keskuskoulu": (5, {"suostumus": 1}),
    "Varhaiskasvatus": (4, {"suostumus": 1, LAW: 1}),
    "Kela": (10, {LAW: 1}),
})
R_BENEFIT = dict(R_GENERAL)
R_BENEFIT.update({"Kela": (70, {LAW: 1}), "Ulosottolaitos": (3, {LAW: 1})})
R_EMERG = dict(R_GENERAL)
R_EMERG.update({"Poliisi": (40, {"virka-apu": 3, LAW: 1}), "Hätäkeskuslaitos": (5, {LAW: 1})})

# Bases of the non-disclosure actions: action -> {basis: weight}
B_DEFAULT = {
    "view": {"hoitosuhde / asiakkuus": 92, LAW: 5, "suostumus": 2, "asiakkaan oma pyyntö": 1},
    "create": {"hoitosuhde / asiakkuus": 90, LAW: 9, "suostumus": 1},
    "update": {"hoitosuhde / asiakkuus": 93, LAW: 6, "suostumus": 1},
    "print": {"hoitosuhde / asiakkuus": 55, "asiakkaan oma pyyntö": 35, LAW: 10},
    "export": {LAW: 60, "asiakkaan oma pyyntö": 25, "tilastointi": 15},
}
B_EMERG = dict(B_DEFAULT)
B_EMERG["view"] = {"hoitosuhde / asiakkuus": 70, "kiireellinen tilanne": 20, LAW: 8, "virka-apu": 2}
B_REGISTRY = dict(B_DEFAULT)
B_REGISTRY["view"] = {LAW: 55, "asiakkaan oma pyyntö": 35, "hoitosuhde / asiakkuus": 10}

# Units: name, working-time pattern, staff weight, clients by age group (child, adult,
# elderly; None = works on everyone's clients), titles, action mix, recipients, bases,
# team size, probability of opening one's own caseload / the team's clients.
UNITS = [
    ("Lastensuojelu, Itäinen alue", OFFICE, 5, (9, 0, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 8, .72, .93),
    ("Lastensuojelu, Läntinen alue", OFFICE, 5, (9, 0, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 8, .72, .93),
    ("Lastensuojelu, Pohjoinen alue", OFFICE, 4, (7, 0, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 8, .72, .93),
    ("Lastensuojelu, Eteläinen alue", OFFICE, 4, (7, 0, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 8, .72, .93),
    ("Lastensuojelun sijaishuolto", OFFICE, 3, (5, 0.3, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 7, .75, .94),
    ("Perhesosiaalityö", OFFICE, 3, (10, 1, 0), T_CHILD, A_DEFAULT, R_CHILD, B_DEFAULT, 8, .7, .92),
    ("Perheneuvola", OFFICE, 2, (8, 0, 0), T_FAMILY, A_DEFAULT, R_CHILD, B_DEFAULT, 6, .75, .94),
    ("Aikuissosiaalityö, Keskusta", OFFICE, 4, (0, 10, 1), T_ADULT, A_DEFAULT, R_GENERAL, B_DEFAULT, 8, .7, .92),
    ("Aikuissosiaalityö, Pohjoinen", OFFICE, 3, (0, 8, 1), T_ADULT, A_DEFAULT, R_GENERAL, B_DEFAULT, 8, .7, .92),
    ("Täydentävä ja ehkäisevä toimeentulotuki", OFFICE, 3, (0, 12, 2), T_BENEFIT, A_BENEFIT, R_BENEFIT, B_DEFAULT, 10, .55, .9),
    ("Päihde- ja mielenterveyspalvelut", OFFICE, 4, (0, 8, 1), T_MENTAL, A_DEFAULT, R_GENERAL, B_DEFAULT, 8, .7, .93),
    ("Vammaispalvelut", OFFICE, 4, (2, 5, 2), T_DISAB, A_DEFAULT, R_GENERAL, B_DEFAULT, 8, .72, .93),
    ("Ikääntyneiden asiakasohjaus", OFFICE, 3, (0, 0, 10), T_ELDER, A_DEFAULT, R_GENERAL, B_DEFAULT, 8, .7, .92),
    ("Kotihoito, Pohjoinen", EXTENDED, 8, (0, 0.3, 6), T_HOME, A_HOME, R_GENERAL, B_DEFAULT, 20, 0, .95),
    ("Kotihoito, Eteläinen", EXTENDED, 8, (0, 0.3, 6), T_HOME, A_HOME, R_GENERAL, B_DEFAULT, 20, 0, .95),
    ("Kotihoito, Itäinen", EXTENDED, 7, (0, 0.3, 5), T_HOME, A_HOME, R_GENERAL, B_DEFAULT, 20, 0, .95),
    ("Kotihoito, Läntinen", EXTENDED, 7, (0, 0.3, 5), T_HOME, A_HOME, R_GENERAL, B_DEFAULT, 20, 0, .95),
    ("Ympärivuorokautinen palveluasuminen, Koivukoti", ALLDAY, 4, (0, 0.2, 2), T_HOUSING, A_HOME, R_GENERAL, B_DEFAULT, 25, 0, .97),
    ("Sosiaali- ja kriisipäivystys", ALLDAY, 2, None, T_EMERG, A_EMERG, R_EMERG, B_EMERG, 12, 0, 0),
    ("Maahanmuuttajapalvelut", OFFICE, 1.5, (1, 2, 0.1), T_IMMIG, A_DEFAULT, R_GENERAL, B_DEFAULT, 6, .7, .92),
    ("Terveysasema, Keskusta", OFFICE, 6, (3, 6, 5), T_HEALTH, A_DEFAULT, R_GENERAL, B_DEFAULT, 10, .6, .85),
    ("Kirjaamo ja asiakirjahallinto", OFFICE, 1, None, T_REGISTRY, A_REGISTRY, R_GENERAL, B_REGISTRY, 10, 0, 0),
]

# Hour-of-day weights per working-time pattern.
HOURS = {
    OFFICE: [.02, .01, .01, .01, .01, .02, .1, 1, 6, 10, 10, 8, 7, 9, 9, 6, 2, .7, .3, .25, .2, .15, .08, .04],
    EXTENDED: [.3, .25, .2, .2, .3, 1, 3, 8, 9, 9, 8, 7, 7, 7, 7, 7, 6, 6, 6, 5, 5, 3, 1, .5],
    ALLDAY: [4, 3.5, 3, 2.5, 2, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 6, 6, 6, 5, 5],
}
# Events in one session (a record opened and worked on) and seconds between them.
# (Opening a client's record and reading a few documents writes several rows; mean ~6.)
SESSION_LEN = {1: 15, 2: 14, 3: 13, 4: 11, 5: 9, 6: 8, 8: 7, 10: 6, 12: 5, 15: 4, 20: 3, 30: 2, 50: 1}
GAP_SEC = [(2, 8, 35), (8, 40, 35), (40, 180, 20), (180, 900, 8), (900, 2400, 2)]

TABLE_BITS = 14        # pick tables have 2**14 entries: table[getrandbits(14)] is the fastest pick
TABLE = 1 << TABLE_BITS
# 4096 quantiles of the standard normal distribution: norm[getrandbits(12)] is a cheap draw.
NORMAL_QUANTILES = [NormalDist().inv_cdf((i + 0.5) / 4096) for i in range(4096)]


# --------------------------------------------------------------------------- identity codes

PIC_RE = re.compile(r"^(\d\d)(\d\d)(\d\d)([-+ABCDEFYXWVU])(\d\d\d)([0-9A-Y])$")
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
           "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}


def pic_error(s):
    """None if s is a valid identity code (individual number 002-899), else the reason."""
    m = PIC_RE.match(s)
    if not m:
        return "format"
    dd, mm, yy, sign, zzz, q = m.groups()
    try:
        date(CENTURY[sign] + int(yy), int(mm), int(dd))
    except ValueError:
        return "date"
    if not 2 <= int(zzz) <= 899:
        return "individual number"
    if CHECK_CHARS[int(dd + mm + yy + zzz) % 31] != q:
        return "check character"
    return None


# --------------------------------------------------------------------------- helpers

def finnish_holidays(year):
    """Public holidays (and the de facto ones: Midsummer Eve, Christmas Eve) of a year."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    easter = date(year, month, day + 1)
    midsummer_eve = next(date(year, 6, x) for x in range(19, 26) if date(year, 6, x).weekday() == 4)
    all_saints = next(date(year, 10, 31) + timedelta(x) for x in range(7)
                      if (date(year, 10, 31) + timedelta(x)).weekday() == 5)
    return {date(year, 1, 1), date(year, 1, 6), easter - timedelta(2), easter + timedelta(1),
            date(year, 5, 1), easter + timedelta(39), midsummer_eve, midsummer_eve + timedelta(1),
            all_saints, date(year, 12, 6), date(year, 12, 24), date(year, 12, 25), date(year, 12, 26)}


def weighted_table(rng, weights, size=TABLE):
    """A list of `size` items drawn from {item: weight}: picking table[int(random()*size)]
    is then one float multiply and one index, the cheapest weighted choice in Python."""
    items = list(weights)
    return rng.choices(items, weights=[weights[i] for i in items], k=size)


def cum_table(items, weights):
    """(items, cumulative weights with an infinite last bound, total) for bisect picks."""
    cum = list(itertools.accumulate(weights))
    if not cum:
        return items, cum, 0.0
    total = cum[-1]
    cum[-1] = math.inf
    return items, cum, total


def urn(rng, items, weights, per_item=8):
    """A weighted pick table by replication: each item about weight/mean * per_item times
    (randomised rounding keeps the expectation), so that a pick is urn[int(random() * n)],
    several times cheaper than bisecting cumulative weights. Returns (list, its length)."""
    total = sum(weights)
    if not items or total <= 0:
        return [], 0
    scale = per_item * len(items) / total
    out, rand = [], rng.random
    for it, wt in zip(items, weights):
        k = int(wt * scale + rand())
        if k:
            out += [it] * k
    if not out:
        out = list(items)
    return out, len(out)


def csv_field(s):
    return f'"{s}"' if ("," in s or '"' in s or "\n" in s) else s


# --------------------------------------------------------------------------- generator

class World:
    """The fixed pools: clients, users, units, teams, caseloads. Depends only on the seed,
    --clients, --users, the time range and --subject / --suspect-user / --registers."""

    def __init__(self, args):
        self.args = args
        self.start, self.end = args.start, args.end
        self.days = (self.end - self.start).days
        if self.days <= 0:
            sys.exit("--end must be after --start")
        seed = args.seed
        self.make_clients(random.Random(f"rightsdesk-clients:{seed}"))
        self.make_users(random.Random(f"rightsdesk-users:{seed}"))
        self.assign_clients(random.Random(f"rightsdesk-caseloads:{seed}"))

    # -- clients
    def make_clients(self, rng):
        n, subject = self.args.clients, self.args.subject
        end_ord, start_ord = self.end.toordinal(), self.start.toordinal()
        D = self.days
        ids, seen = [], set()
        age, weight, first, last = [], [], [], []
        rand, grb, exp = rng.random, rng.getrandbits, math.exp
        norm = NORMAL_QUANTILES
        heads = {}               # birth day ordinal -> ("DDMMYY" + sign, DDMMYY * 1000, day index)
        log540 = math.log(540)
        while len(ids) < n:
            g = rand()
            if g < 0.24:
                group, years = 0, rand() * 18
            elif g < 0.68:
                group, years = 1, 18 + rand() * 47
            else:                # the elderly: 65-101, most in their eighties
                group, years = 2, 65 + 18 * (rand() + rand())
            born = end_ord - 1 - int(years * 365.25)
            h = heads.get(born)
            if h is None:
                day = date.fromordinal(born)
                dd = f"{day.day:02d}{day.month:02d}{day.year % 100:02d}"
                h = heads[born] = (dd + ("-" if day.year < 2000 else "A"), int(dd) * 1000, born - start_ord)
            zzz = 2 + int(rand() * 898)
            code = f"{h[0]}{zzz:03d}{CHECK_CHARS[(h[1] + zzz) % 31]}"
            if code in seen or code == subject:
                continue
            seen.add(code)
            ids.append(code)
            age.append(group)
            weight.append(exp(1.5 * norm[grb(12)]))
            # Period of clienthood (day indexes into the range), never before birth.
            if rand() < (0.6 if group == 2 else 0.42):
                s, length = -1, 10 * D
            else:
                s, length = int(rand() * (D + 365)) - 365, int(exp(log540 + 0.8 * norm[grb(12)])) + 30
            s2 = s if s > h[2] else h[2]
            if s2 < 0:
                s2 = 0
            e = s + length if s + length > s2 + 30 else s2 + 30
            first.append(s2 if s2 < D else D - 1)
            last.append(e if e < D else D - 1)
        self.client_ids, self.client_age, self.client_weight = ids, age, weight
        self.client_first, self.client_last = first, last

    # -- users, units, teams
    def make_users(self, rng):
        n = self.args.users
        total = sum(u[2] for u in UNITS)
        shares = [u[2] * n / total for u in UNITS]
        counts = [max(1, int(s)) for s in shares]
        for i in sorted(range(len(UNITS)), key=lambda i: shares[i] - int(shares[i]), reverse=True):
            if sum(counts) >= n:
                break
            counts[i] += 1
        while sum(counts) > n and max(counts) > 1:
            counts[counts.index(max(counts))] -= 1
        taken = {self.args.suspect_user} if self.args.suspect_user else set()
        self.user_name, self.user_title, self.user_unit, self.user_team = [], [], [], []
        self.user_weight, self.user_first, self.user_last = [], [], []
        self.teams = []            # list of lists of user indexes
        self.team_unit = []
        self.unit_teams = [[] for _ in UNITS]
        D = self.days
        for ui, (unit, kind, _, _, titles, *_rest) in enumerate(UNITS):
            team_size = UNITS[ui][8]
            members = list(range(len(self.user_name), len(self.user_name) + counts[ui]))
            n_teams = max(1, round(counts[ui] / team_size))
            base = len(self.teams)
            for t in range(n_teams):
                self.teams.append([])
                self.team_unit.append(ui)
                self.unit_teams[ui].append(base + t)
            title_list = list(titles)
            for j, u in enumerate(members):
                female = rng.random() < 0.86
                firsts = FIRST_F if female else FIRST_M
                for attempt in range(100):
                    if rng.random() < 0.06:
                        first = rng.choice(COMPOUND_F if female else COMPOUND_M)
                    else:
                        first = rng.choice(firsts)
                    if attempt >= 8:     # still taken: the second given name is shown too
                        first2 = rng.choice(firsts)
                        if first2 != first:
                            first = f"{first} {first2}"
                    name = f"{first} {rng.choice(LAST)}"
                    if name not in taken:
                        break
                taken.add(name)
                title = rng.choices(title_list, weights=[titles[t] for t in title_list])[0]
                team = base + j % n_teams
                self.teams[team].append(u)
                self.user_name.append(name)
                self.user_title.append(title)
                self.user_unit.append(ui)
                self.user_team.append(team)
                self.user_weight.append(rng.lognormvariate(0, 0.45) * TITLE_ACTIVITY.get(title, 1.0))
                r = rng.random()
                if r < 0.78:
                    a, b = 0, D - 1
                elif r < 0.89:
                    a, b = rng.randrange(D), D - 1
                else:
                    a, b = 0, rng.randrange(D)
                self.user_first.append(a)
                self.user_last.append(b)
        # The suspect: an ordinary caseworker of a unit unrelated to the subject, all the time.
        self.suspect = None
        if self.args.suspect_user:
            avoid = set(self.subject_units()) if self.args.subject else set()
            for want in ("Vammaispalvelut", "Aikuissosiaalityö, Keskusta", "Perhesosiaalityö"):
                ui = next(i for i, u in enumerate(UNITS) if u[0] == want)
                if ui not in avoid:
                    break
            cands = [u for u in range(len(self.user_name)) if self.user_unit[u] == ui]
            self.suspect = cands[len(cands) // 2]
            self.user_name[self.suspect] = self.args.suspect_user
            self.user_title[self.suspect] = "sosiaaliohjaaja"
            self.user_first[self.suspect], self.user_last[self.suspect] = 0, D - 1

    def subject_units(self):
        """Units serving the planted subject, by the age its identity code gives."""
        code = self.args.subject
        born = date(CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
        age = (self.end - born).days / 365.25
        names = (("Lastensuojelu, Itäinen alue", "Perhesosiaalityö") if age < 18 else
                 ("Aikuissosiaalityö, Keskusta", "Päihde- ja mielenterveyspalvelut") if age < 65 else
                 ("Kotihoito, Eteläinen", "Ikääntyneiden asiakasohjaus", "Terveysasema, Keskusta"))
        return [next(i for i, u in enumerate(UNITS) if u[0] == n) for n in names]

    # -- caseloads
    def assign_clients(self, rng):
        self.team_clients = [[] for _ in self.teams]
        self.caseload = [[] for _ in self.user_name]
        self.client_team = [-1] * len(self.client_ids)      # the first team of each client
        unit_tab = []
        for g in range(3):
            weights = {i: u[3][g] for i, u in enumerate(UNITS) if u[3] is not None and u[3][g] > 0}
            unit_tab.append(weighted_table(rng, weights, 4096))
        workers = [[u for u in team if self.user_title[u] in CASEWORKERS] for team in self.teams]
        own = [UNITS[self.team_unit[t]][9] > 0 for t in range(len(self.teams))]
        unit_teams, team_clients, caseload = self.unit_teams, self.team_clients, self.caseload
        client_team = self.client_team
        rand = rng.random
        for c, g in enumerate(self.client_age):
            tab = unit_tab[g]
            u1 = tab[int(rand() * 4096)]
            units = (u1,)
            if rand() < 0.25:            # served by a second unit too
                u2 = tab[int(rand() * 4096)]
                if u2 != u1:
                    units = (u1, u2)
            for ui in units:
                teams = unit_teams[ui]
                team = teams[int(rand() * len(teams))]
                team_clients[team].append(c)
                if ui == u1:
                    client_team[c] = team
                w = workers[team]
                if w and own[team]:      # a named worker, sometimes two
                    caseload[w[int(rand() * len(w))]].append(c)
                    if rand() < 0.3:
                        caseload[w[int(rand() * len(w))]].append(c)


def dst_table(day, hms):
    """86,400 byte strings 'HH:MM:SS+0X:00' for a day, with the real Helsinki offset; times
    in the hour skipped in spring move an hour on, the repeated autumn hour is the first."""
    offs = []
    for h in range(24):
        dt = datetime(day.year, day.month, day.day, h, 30, tzinfo=TZ)
        back = dt.astimezone(timezone.utc).astimezone(TZ)
        off = dt.utcoffset()
        if back.hour != h:                      # nonexistent local hour
            offs.append(None)
        else:
            mins = int(off.total_seconds()) // 60
            offs.append(f"+{mins // 60:02d}:{mins % 60:02d}")
    out = []
    for h in range(24):
        hh = h if offs[h] is not None else h + 1
        off = offs[hh]
        base = hh * 3600
        out.extend((hms[base + s] + off).encode() for s in range(3600))
    return out


class Generator:
    def __init__(self, world, args):
        self.w, self.args = world, args
        self.rng = random.Random(f"rightsdesk-events:{args.seed}")
        self.csv = args.format == "csv"
        self.render()

    # -- string fragments, computed once
    def render(self):
        w, a, rng = self.w, self.args, self.rng
        q = csv_field if self.csv else (lambda s: s)
        # All output is assembled from pre-encoded pieces: per line
        #   [id digits][mid + date + "T"][HH:MM:SS+hh:mm][client][user][action... + "\n" + head]
        # where head ('{"event_id":"ev-' or 'ev-') opens the next line.
        self.head = "ev-" if self.csv else '{"event_id":"ev-'
        self.mid = "," if self.csv else '","occurred_at":"'
        if self.csv:
            self.subject_frag = lambda c: f",{c},".encode()
            self.user_frag = [f"{q(n)},{q(t)},{q(UNITS[u][0])},".encode()
                              for n, t, u in zip(w.user_name, w.user_title, w.user_unit)]
        else:
            self.subject_frag = lambda c: f'","subject_id":"{c}",'.encode()
            self.user_frag = [f'"user_name":"{n}","user_title":"{t}","unit":"{UNITS[u][0]}",'.encode()
                              for n, t, u in zip(w.user_name, w.user_title, w.user_unit)]
        self.client_frag = [self.subject_frag(c) for c in w.client_ids]
        regs = a.registers
        src = a.source
        reg_global = {r: 1 / (i + 1) ** 1.2 for i, r in enumerate(regs)} if regs else None

        tail = "\n" + self.head

        def combo(action, basis, recipient, register):
            if self.csv:
                s = f"{action},{q(basis)},{q(recipient or '')}"
                if regs:
                    s += f",{q(register)}"
                return (s + f",{q(src)}" + tail).encode()
            s = f'"action":"{action}","basis":"{basis}"'
            if recipient:
                s += f',"recipient":"{recipient}"'
            if regs:
                s += f',"register":"{register}"'
            return (s + f',"source":"{src}"}}' + tail).encode()
        self.combo = combo

        # Per unit: the first event of a session (opening a record) and the rest, as
        # pick tables of finished strings (action, basis, recipient, register, source).
        self.unit_first, self.unit_next, self.unit_reg = [], [], []
        for ui, unit in enumerate(UNITS):
            mix, recips, bases = unit[5], unit[6], unit[7]
            if regs:
                pref = regs[min(len(regs) - 1, int(len(regs) * rng.random() ** 2.5))]
                reg_w = {r: v * 0.15 for r, v in reg_global.items()}
                reg_w[pref] += sum(reg_global.values()) * 0.85
            else:
                reg_w = {None: 1.0}
            self.unit_reg.append(max(reg_w, key=reg_w.get))
            joint = {}
            for action, aw in zip(ACTIONS, mix):
                if aw <= 0:
                    continue
                if action == "disclose":
                    rt = sum(v[0] for v in recips.values())
                    for r, (rw, bw) in recips.items():
                        bt = sum(bw.values())
                        for b, bv in bw.items():
                            joint[(action, b, r)] = aw * rw / rt * bv / bt
                else:
                    bw = bases[action]
                    bt = sum(bw.values())
                    for b, bv in bw.items():
                        joint[(action, b, None)] = aw * bv / bt
            rt = sum(reg_w.values())
            full = {combo(*k, r): v * rv / rt for k, v in joint.items() for r, rv in reg_w.items()}
            self.unit_next.append(weighted_table(rng, full))
            opening = {k: v * (1 if k.startswith((b'"action":"view"', b'"action":"create"', b"view,", b"create,"))
                               else 0.15) for k, v in full.items()}
            self.unit_first.append(weighted_table(rng, opening))

        self.sess_len = weighted_table(rng, SESSION_LEN)
        buckets = weighted_table(rng, {(lo, hi): wt for lo, hi, wt in GAP_SEC})
        self.gaps = [rng.randrange(lo, hi) for lo, hi in buckets]
        self.sec_tab = {}
        for kind, hw in HOURS.items():
            hours = weighted_table(rng, dict(enumerate(hw)), 65536)
            self.sec_tab[kind] = [h * 3600 + int(rng.random() * 3600) for h in hours]
        evening = [.0] * 17 + [3, 4, 5, 5, 4, 2, 1]
        self.sec_tab["evening"] = [h * 3600 + rng.randrange(3600) for h in
                                   weighted_table(rng, dict(enumerate(evening)), 4096)]

    # -- calendar
    def calendar(self):
        w, rng = self.w, self.rng
        start, D = w.start, w.days
        holidays = set()
        for y in range(start.year, w.end.year + 1):
            holidays |= finnish_holidays(y)
        self.hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        winter = [(x + "+02:00").encode() for x in self.hms]
        summer = [(x + "+03:00").encode() for x in self.hms]
        self.day_date, self.day_tab, self.day_factor, self.day_gap = [], [], [], []
        months, self.day_month = [], []
        for d in range(D):
            day = start + timedelta(d)
            self.day_date.append(day.isoformat())
            o1 = datetime(day.year, day.month, day.day, 0, 30, tzinfo=TZ).utcoffset()
            o2 = datetime(day.year, day.month, day.day, 23, 30, tzinfo=TZ).utcoffset()
            gap = None
            if o1 != o2:
                self.day_tab.append(("dst", day))
                for h in range(24):      # the local hour skipped in spring, if any
                    dt = datetime(day.year, day.month, day.day, h, 30, tzinfo=TZ)
                    if dt.astimezone(timezone.utc).astimezone(TZ).hour != h:
                        gap = (h * 3600, h * 3600 + 3600)
            else:
                self.day_tab.append(summer if o1 == timedelta(hours=3) else winter)
            self.day_gap.append(gap)
            key = (day.year, day.month)
            if not months or months[-1][0] != key:
                months.append([key, d, d])
            months[-1][2] = d
            self.day_month.append(len(months) - 1)
            wd = day.weekday()
            hol = day in holidays
            season = 0.55 if day.month == 7 else 0.8 if (day.month == 6 and day.day > 20) or (
                day.month == 8 and day.day < 8) or (day.month == 12 and day.day > 20) else 1.0
            noise = rng.lognormvariate(0, 0.12)
            burst = rng.uniform(1.4, 2.3) if rng.random() < 1 / 45 else 1.0
            office = 0.025 if (wd >= 5 or hol) else season * noise * burst * (1.08 if wd == 0 else 0.9 if wd == 4 else 1.0)
            ext = (0.8 if (wd >= 5 or hol) else 1.0) * noise * (0.9 + 0.1 * season)
            allday = (1.15 if wd >= 4 or hol else 1.0) * rng.lognormvariate(0, 0.2)
            self.day_factor.append((office, ext, allday))
        self.months = [(m[1], m[2]) for m in months]
        # Active users and their summed activity per month and working-time pattern.
        self.month_users, self.month_weight = [], []
        for first, last in self.months:
            per_kind, weight = [], []
            for kind in (OFFICE, EXTENDED, ALLDAY):
                us = [u for u in range(len(w.user_name)) if UNITS[w.user_unit[u]][1] == kind
                      and w.user_first[u] <= last and w.user_last[u] >= first]
                ws = [w.user_weight[u] for u in us]
                per_kind.append(urn(rng, us, ws, 16))
                weight.append(sum(ws))
            self.month_users.append(per_kind)
            self.month_weight.append(weight)

    def table_for(self, d):
        t = self.day_tab[d]
        if isinstance(t, tuple):
            t = self.day_tab[d] = dst_table(t[1], self.hms)
        return t

    # -- planted events: subject, incidents, batches
    def plant(self, n_normal_budget):
        """Returns {day: [payload, ...]} and the number of planted events."""
        w, a, rng = self.w, self.args, self.rng
        planted = {}
        count = 0
        D = w.days
        rand = rng.random

        def put(d, payload):
            nonlocal count
            planted.setdefault(d, []).append(payload)
            count += 1

        cums = [list(itertools.accumulate(f[kind] for f in self.day_factor)) for kind in range(3)]

        def day_weights(kind):
            return cums[kind]

        # 1. The subject.
        self.subject_count = self.suspect_count = 0
        if a.subject and a.subject_events > 0:
            S = a.subject_events
            cf = self.subject_frag(a.subject)
            units = w.subject_units()
            code = a.subject
            born = date(CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
            birth = min(D - 1, max(0, (born - w.start).days))
            staff = [u for ui in units for t in w.unit_teams[ui][:1] for u in w.teams[t] if u != w.suspect]
            n_suspect = 0 if w.suspect is None else max(1, S // 80) if S >= 2 else 0
            left = S - n_suspect
            while left > 0:
                u = rng.choices(staff, weights=[w.user_weight[x] for x in staff])[0]
                kind = UNITS[w.user_unit[u]][1]
                lo, hi = max(birth, w.user_first[u]), w.user_last[u]
                cum = day_weights(kind)
                for _ in range(20):
                    d = bisect.bisect(cum, rand() * cum[-1])
                    if lo <= d <= hi:
                        break
                else:
                    d = max(d, birth)
                L = min(left, rng.choice(self.sess_len))
                left -= L
                self._session(put, d, u, cf, L, self.sec_tab[kind])
            # The suspect: short sessions, partly in the evenings and at weekends.
            left = n_suspect
            cum = day_weights(OFFICE)
            while left > 0:
                for _ in range(20):
                    if rand() < 0.35:
                        d = rng.randrange(D)
                        secs = self.sec_tab["evening"]
                    else:
                        d = bisect.bisect(cum, rand() * cum[-1])
                        secs = self.sec_tab[OFFICE]
                    if d >= birth:
                        break
                L = min(left, rng.choice((1, 1, 2, 2, 3, 4)))
                left -= L
                self._session(put, d, w.suspect, cf, L, secs, suspect=True)
            self.subject_count, self.suspect_count = S, n_suspect

        # 2. Incidents and batches, if the budget allows (~0.15 % and ~0.2 % of events).
        n_clients = len(w.client_ids)
        gcum = cum_table(list(range(n_clients)), w.client_weight)
        budget_inc = int(n_normal_budget * 0.0015)
        budget_batch = int(n_normal_budget * 0.002)
        office_cum = day_weights(OFFICE)
        emerg_staff = [u for t in w.unit_teams[next(i for i, u in enumerate(UNITS) if u[1] == ALLDAY and u[3] is None)]
                       for u in w.teams[t]]
        while budget_inc > 30:
            d0 = bisect.bisect(office_cum, rand() * office_cum[-1])
            for _ in range(50):
                c = gcum[0][bisect.bisect(gcum[1], rand() * gcum[2])]
                if w.client_first[c] <= d0 <= w.client_last[c]:
                    break
            pool = list(w.teams[w.client_team[c]]) if w.client_team[c] >= 0 else []
            pool += rng.sample(emerg_staff, min(3, len(emerg_staff)))
            pool = [u for u in pool if w.user_first[u] <= d0 <= w.user_last[u]] or pool
            actors = rng.sample(pool, min(len(pool), rng.randint(3, 9)))
            n_ev = min(budget_inc, rng.randint(30, 160))
            budget_inc -= n_ev
            cf = self.client_frag[c]
            span = rng.randint(1, 3)
            while n_ev > 0:
                u = rng.choice(actors)
                d = min(D - 1, d0 + rng.randrange(span))
                L = min(n_ev, rng.choice(self.sess_len))
                n_ev -= L
                self._session(put, d, u, cf, L, self.sec_tab[UNITS[w.user_unit[u]][1]])
        secretaries = [u for u in range(len(w.user_name))
                       if w.user_title[u] in ("toimistosihteeri", "asiakirjasihteeri", "etuuskäsittelijä")]
        while budget_batch > 40 and secretaries:
            u = rng.choice(secretaries)
            lo, hi = w.user_first[u], w.user_last[u]
            for _ in range(20):
                d = bisect.bisect(office_cum, rand() * office_cum[-1])
                if lo <= d <= hi:
                    break
            n_ev = min(budget_batch, rng.randint(40, 300))
            budget_batch -= n_ev
            kela = rand() < 0.5
            action = ("disclose", LAW, "Kela") if kela else ("export", rng.choice((LAW, "tilastointi")), None)
            tail = self.combo(*action, self.unit_reg[w.user_unit[u]])
            sec = rng.choice(self.sec_tab[OFFICE])
            sec = min(sec, 86399 - n_ev * 6)
            uf = self.user_frag[u]
            for _ in range(n_ev):
                for _ in range(50):
                    c = gcum[0][bisect.bisect(gcum[1], rand() * gcum[2])]
                    if w.client_first[c] <= d <= w.client_last[c]:
                        break
                sec += rng.randint(1, 6)
                put(d, (sec, self.client_frag[c] + uf, tail))
        return planted, count

    def _session(self, put, d, u, cf, L, secs, suspect=False):
        rng = self.rng
        uf = self.user_frag[u]
        ui = self.w.user_unit[u]
        first, nxt = self.unit_first[ui], self.unit_next[ui]
        if suspect:       # the suspect only reads
            view = [x for x in first if x.startswith((b'"action":"view"', b"view,"))] or first
            first = nxt = view
        times = [rng.choice(secs)]
        for i in range(L - 1):
            times.append(times[-1] + rng.choice(self.gaps))
        late = max(0, times[-1] - 86399)          # would run past midnight: start earlier
        if late:
            late += rng.randrange(1024)
        for i, s in enumerate(times):
            put(d, (max(0, s - late), cf + uf, rng.choice(first if i == 0 else nxt)))

    # -- the main loop
    def run(self, out):
        w, a, rng = self.w, self.args, self.rng
        N = a.events
        self.calendar()
        S = a.subject_events if a.subject else 0
        if S > N:
            sys.exit("--subject-events is larger than --events")
        planted, n_planted = self.plant(N - S)
        n_normal = N - n_planted
        # Day quotas per working-time pattern, proportional to the day's factor times the
        # active staff's summed activity, rounded so that they add up to exactly n_normal.
        expect = []
        for d in range(w.days):
            mu = self.month_weight[self.day_month[d]]
            f = self.day_factor[d]
            expect.append([f[k] * mu[k] for k in range(3)])
        total = sum(map(sum, expect)) or 1.0
        quotas, acc, done = [], 0.0, 0
        for row in expect:
            qrow = []
            for x in row:
                acc += x * n_normal / total
                nxt = int(round(acc))
                qrow.append(nxt - done)
                done = nxt
            quotas.append(qrow)
        quotas[-1][2] += n_normal - done

        width = max(9, len(str(N)))
        head = self.head.encode()
        if self.csv:
            cols = FIELDS if a.registers else [f for f in FIELDS if f != "register"]
            out.write((",".join(cols) + "\n").encode())
        if N:
            out.write(head)
        # Event ids: the digits above the last four change every 10,000 events.
        low4 = [f"{x:04d}".encode() for x in range(10000)]
        join = b"".join
        rand, grb = rng.random, rng.getrandbits
        bis = bisect.bisect
        caseload, team_clients = w.caseload, w.team_clients
        cw, cfirst, clast = w.client_weight, w.client_first, w.client_last
        cfrag = self.client_frag
        # Everything the loop needs of a user, in one tuple.
        user = [(self.user_frag[u], self.unit_first[ui], self.unit_next[ui], UNITS[ui][9], UNITS[ui][10],
                 w.user_team[u]) for u, ui in enumerate(w.user_unit)]
        # Session templates: (seconds after the first event, index into the unit's table) of
        # the 2nd, 3rd... event; the first event's second and action are drawn separately.
        templates = []
        for L in self.sess_len:
            dt, tpl = 0, []
            for _ in range(L - 1):
                dt += self.gaps[rng.getrandbits(TABLE_BITS)]
                tpl.append((dt, rng.getrandbits(TABLE_BITS)))
            templates.append(tuple(tpl))
        sec_tabs = [self.sec_tab[k] for k in (OFFICE, EXTENDED, ALLDAY)]
        n_clients = len(w.client_ids)
        eid = 1
        buf, buf_len = [], 0
        cur_month = -1
        # Weighted pick tables of clients: everyone's, each team's, each caseload (built
        # when first needed). A pick is retried a few times until the client is a client on
        # that very day (filtering the lists by period instead costs more than the retries).
        g_table = urn(rng, list(range(n_clients)), cw, 4)
        own_cache = [None] * len(w.user_name)
        team_cache = [None] * len(w.teams)

        def retry(t, d, tries=4):
            items, n = t
            if n:
                for _ in range(tries):
                    c = items[int(rand() * n)]
                    if cfirst[c] <= d <= clast[c]:
                        return c
            return -1

        for d in range(w.days):
            m = self.day_month[d]
            if m != cur_month:
                cur_month = m
                users_m = self.month_users[m]
            evs = planted.pop(d, [])
            app = evs.append
            for k in range(3):
                q = quotas[d][k]
                if q <= 0:
                    continue
                u_items, u_n = users_m[k]
                if not u_n:              # nobody employed in this pattern this month
                    u_items, u_n = next(x for x in users_m if x[1])
                secs = sec_tabs[k]
                while q > 0:
                    u = u_items[int(rand() * u_n)]
                    uf, first, nx, p_own, p_team, tm = user[u]
                    r = rand()
                    c = -1
                    if r < p_own:                        # one's own caseload
                        t = own_cache[u]
                        if t is None:
                            cl = caseload[u]
                            t = own_cache[u] = urn(rng, cl, list(map(cw.__getitem__, cl)), 4)
                        if t[1]:
                            c = t[0][int(rand() * t[1])]
                            if not cfirst[c] <= d <= clast[c]:
                                c = retry(t, d)
                    if c < 0 and r < p_team:             # the team's clients
                        t = team_cache[tm]
                        if t is None:
                            cl = team_clients[tm]
                            t = team_cache[tm] = urn(rng, cl, list(map(cw.__getitem__, cl)), 4)
                        if t[1]:
                            c = t[0][int(rand() * t[1])]
                            if not cfirst[c] <= d <= clast[c]:
                                c = retry(t, d)
                    if c < 0:                            # anyone
                        c = retry(g_table, d, 8)
                        if c < 0:
                            c = g_table[0][int(rand() * g_table[1])]
                    tpl = templates[grb(14)]
                    if len(tpl) >= q:
                        tpl = tpl[:q - 1]
                    q -= len(tpl) + 1
                    s = secs[grb(16)]
                    cu = cfrag[c] + uf
                    if tpl:
                        end = s + tpl[-1][0]
                        if end > 86399:                  # would run past midnight: start earlier
                            s = max(0, s - (end - 86399) - grb(10))
                        app((s, cu, first[grb(14)]))
                        if s + tpl[-1][0] <= 86399:
                            for dt, i in tpl:
                                app((s + dt, cu, nx[i]))
                        else:
                            for dt, i in tpl:
                                app((min(s + dt, 86399), cu, nx[i]))
                    else:
                        app((s, cu, first[grb(14)]))
            gap = self.day_gap[d]
            if gap:                      # spring forward: the skipped hour is the next one
                lo, hi = gap
                evs = [(e[0] + 3600, e[1], e[2]) if lo <= e[0] < hi else e for e in evs]
            evs.sort()
            tab = self.table_for(d)
            dp = f"{self.mid}{self.day_date[d]}T".encode()
            i, n = 0, len(evs)
            while i < n:                 # runs of events whose id shares the high digits
                top = (eid + i) // 10000
                j = min(n, i + 10000 - (eid + i) % 10000)
                hi = f"{top:0{width - 4}d}".encode()
                chunk = join([join((hi, low4[k], dp, tab[s], cu, co))
                              for k, (s, cu, co) in zip(range((eid + i) % 10000, 10000), evs[i:j])])
                buf.append(chunk)
                buf_len += len(chunk)
                i = j
            eid += n
            if buf_len > 8_000_000:      # (the last piece stays: see below)
                out.write(join(buf[:-1]))
                buf, buf_len = buf[-1:], len(buf[-1])
        if N:                            # the last line opened a next one: take that back
            last = join(buf)
            out.write(last[:len(last) - len(head)])
        self.written = eid - 1
        assert self.written == N, (self.written, N)


# --------------------------------------------------------------------------- --check

REQUIRED = ["event_id", "occurred_at", "subject_id", "user_name", "user_title", "unit",
            "action", "basis", "source"]
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def check(args):
    t0 = time.perf_counter()
    f = sys.stdin.buffer if args.check == "-" else open(args.check, "rb")
    lines = (ln.decode("utf-8", errors="replace") for ln in f)
    first = next(lines, None)
    if first is None:
        sys.exit("check: empty file")
    if first.startswith("event_id,"):
        header = next(csv.reader([first]))
        rows = (dict(zip(header, r)) for r in csv.reader(itertools.chain(lines)))
        fmt = "csv"
    else:
        def parse(ln):
            if "\ufffd" in ln:
                return ValueError("not UTF-8")
            try:
                v = json.loads(ln)
                return v if isinstance(v, dict) else ValueError("not a JSON object")
            except json.JSONDecodeError as e:
                return e
        rows = (parse(ln) for ln in itertools.chain([first], lines) if ln.strip())
        fmt = "ndjson"
    errors, n = [], 0
    ids = set()
    subjects, users, actions, titles = Counter(), set(), Counter(), Counter()
    pic_ok = {}
    out_of_order = weekend = office_hours = 0
    prev = None
    t_min = t_max = None
    subj_n = subj_suspect = 0

    def err(msg):
        if len(errors) < 20:
            errors.append(f"event {n}: {msg}")
        else:
            errors.append(None)

    for row in rows:
        n += 1
        if isinstance(row, Exception):
            err(f"unreadable: {row}")
            continue
        if "\ufffd" in "".join(v for v in row.values() if isinstance(v, str)):
            err("not UTF-8")
        missing = [k for k in REQUIRED if not isinstance(row.get(k), str) or not row.get(k)]
        if missing:
            err(f"missing or empty {missing}")
            continue
        eid = row["event_id"]
        if eid in ids:
            err(f"duplicate event_id {eid}")
        ids.add(eid)
        sid = row["subject_id"]
        ok = pic_ok.get(sid)
        if ok is None:
            ok = pic_ok[sid] = pic_error(sid)
        if ok:
            err(f"subject_id {sid!r}: {ok}")
        subjects[sid] += 1
        users.add(row["user_name"])
        titles[row["user_title"]] += 1
        act = row["action"]
        actions[act] += 1
        if act not in ACTIONS:
            err(f"unknown action {act!r}")
        rec = row.get("recipient") or ""
        if (act == "disclose") != bool(rec):
            err(f"recipient {rec!r} on a {act!r} event")
        if "register" in row and not row["register"]:
            err("empty register")
        ts = row["occurred_at"]
        if not TS_RE.match(ts):
            err(f"occurred_at {ts!r} is not RFC 3339 with an offset")
            continue
        dt = datetime.fromisoformat(ts)
        local = dt.astimezone(TZ)
        if local.utcoffset() != dt.utcoffset() or local.replace(tzinfo=None) != dt.replace(tzinfo=None):
            err(f"occurred_at {ts!r}: not the Helsinki offset of that moment ({local.isoformat()})")
        if prev is not None and dt < prev:
            out_of_order += 1
        prev = dt
        t_min = dt if t_min is None or dt < t_min else t_min
        t_max = dt if t_max is None or dt > t_max else t_max
        if local.weekday() >= 5:
            weekend += 1
        elif 8 <= local.hour < 16:
            office_hours += 1
        if args.subject and sid == args.subject:
            subj_n += 1
            if args.suspect_user and row["user_name"] == args.suspect_user:
                subj_suspect += 1
    secs = time.perf_counter() - t0
    per_subject = sorted(subjects.values(), reverse=True)
    p = lambda q: per_subject[min(len(per_subject) - 1, int(q * len(per_subject)))] if per_subject else 0
    e = sys.stderr
    print(f"check: {n} events ({fmt}) in {secs:.1f} s, {len(subjects)} subjects, {len(users)} users", file=e)
    if n:
        print(f"  time range {t_min.isoformat()} .. {t_max.isoformat()}, out of order {out_of_order}", file=e)
        print(f"  weekend {weekend / n:.1%}, weekdays 8-16 {office_hours / n:.1%}", file=e)
        print("  actions " + ", ".join(f"{k} {v / n:.2%}" for k, v in actions.most_common()), file=e)
        print("  titles " + ", ".join(f"{k} {v / n:.1%}" for k, v in titles.most_common(6)), file=e)
        print(f"  events per subject: max {per_subject[0]}, p99 {p(0.01)}, p90 {p(0.1)}, median {p(0.5)}, "
              f"p10 {p(0.9)}; top 1 % of subjects have {sum(per_subject[:max(1, len(per_subject) // 100)]) / n:.1%}",
              file=e)
    if args.subject:
        print(f"  subject {args.subject}: {subj_n} events"
              + (f", {subj_suspect} by {args.suspect_user}" if args.suspect_user else ""), file=e)
    bad = [x for x in errors if x]
    if errors:
        print(f"check: {len(errors)} error(s)", file=e)
        for x in bad:
            print("  " + x, file=e)
        return 1
    print("check: OK", file=e)
    return 0


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--events", type=int, default=1_000_000, help="number of events (default 1,000,000)")
    ap.add_argument("--clients", type=int, default=300_000, help="size of the client pool (default 300,000)")
    ap.add_argument("--users", type=int, default=8_000, help="number of users (default 8,000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, same output")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1),
                    help="first day, Helsinki time (default 2024-01-01)")
    ap.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 1),
                    help="end of the range, exclusive (default 2026-11-01: the last events are on 10-31)")
    ap.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    ap.add_argument("--registers", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                    default=None, help="comma-separated register slugs: adds a skewed 'register' field")
    ap.add_argument("--subject", help="identity code of a planted subject, e.g. 131052-308T")
    ap.add_argument("--subject-events", type=int, default=0, help="events of the planted subject (part of --events)")
    ap.add_argument("--suspect-user", help="name of a user who also looks at the planted subject")
    ap.add_argument("--source", default="Apotti", help="value of the 'source' field (default Apotti)")
    ap.add_argument("--out", help="output file (default stdout)")
    ap.add_argument("--check", metavar="FILE", help="validate FILE ('-' = stdin) instead of generating")
    args = ap.parse_args(argv)
    if args.check:
        return check(args)
    for text in [args.source, args.suspect_user or ""] + (args.registers or []):
        if any(ch in text for ch in '"\\') or any(ord(ch) < 32 for ch in text):
            ap.error(f"{text!r}: quotes, backslashes and control characters are not allowed")
    if args.subject:
        why = pic_error(args.subject)
        if why or args.subject[6] not in "-A":
            ap.error(f"--subject {args.subject}: not a valid identity code ({why or 'century sign'})")
    if args.events < 0 or args.clients < 1 or args.users < len(UNITS):
        ap.error(f"--events >= 0, --clients >= 1 and --users >= {len(UNITS)} are needed")
    t0 = time.perf_counter()
    world = World(args)
    gen = Generator(world, args)
    t_setup = time.perf_counter() - t0
    out = open(args.out, "wb") if args.out else sys.stdout.buffer
    try:
        gen.run(out)
    except BrokenPipeError:
        return 1
    finally:
        if args.out:
            out.close()
        else:
            try:
                out.flush()
            except BrokenPipeError:
                pass
    secs = time.perf_counter() - t0
    extra = ""
    if args.subject:
        extra = f", subject {args.subject} {gen.subject_count}"
        if world.suspect is not None:
            extra += f" ({gen.suspect_count} by {args.suspect_user})"
    print(f"gen-access-log: {args.events} events, {len(world.client_ids)} clients, {len(world.user_name)} users, "
          f"{args.start}..{args.end}, {secs:.1f} s ({t_setup:.1f} s setup), "
          f"{args.events / max(secs, 1e-9):,.0f} events/s{extra}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
