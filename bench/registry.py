#!/usr/bin/env python3
"""Benchmark of the organization registry: CSV import and read latency.

Builds the service in release mode, generates a registry of N organizations in a
tree five levels deep, imports it into SQLite and/or PostgreSQL with the service's
own `import organizations` command, starts `serve` and measures the read endpoints
with sequential requests over one kept-alive connection (and throughput with
`wrk` when available, as an admin, whose reads of contacts are audited, and as an
observer, who sees none). Prints a table and writes the figures as JSON to
bench/out/registry-<backend>.json.

This is a measurement, not a test: it never fails because a figure misses its
target. Standard library only (Python 3.11+).

    python3 bench/registry.py [--rows N] [--requests N] [--backend sqlite|postgres|both]
                              [--pg-url URL] [--token TOKEN]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"

HOST = "127.0.0.1"
LEVELS = 5
READY_TIMEOUT_S = 60.0
WARMUP_REQUESTS = 100
WRK_ARGS = ["-t2", "-c32", "-d10s"]

TARGETS = {
    "import_rows_per_s_min": 20000,
    "import_peak_mb_max": 150,
    "list_p95_ms_max": 10,
    "search_p95_ms_max": 50,
    "get_p95_ms_max": 10,
}

ENDPOINTS = ["list", "search", "get", "subtree"]

# ---------------------------------------------------------------------------
# Registry data
# ---------------------------------------------------------------------------

KIND_BY_LEVEL = [
    "central_state_body",
    "departmental_body",
    "territorial_body",
    "local_executive_body",
    "quasi_public_organization",
]

# (code, Russian "по ..." form, Kazakh name, English name)
REGIONS = [
    ("KZ-10", "области Абай", "Абай облысы", "Abai Region"),
    ("KZ-11", "Акмолинской области", "Ақмола облысы", "Akmola Region"),
    ("KZ-15", "Актюбинской области", "Ақтөбе облысы", "Aktobe Region"),
    ("KZ-19", "Алматинской области", "Алматы облысы", "Almaty Region"),
    ("KZ-23", "Атырауской области", "Атырау облысы", "Atyrau Region"),
    ("KZ-27", "Западно-Казахстанской области", "Батыс Қазақстан облысы", "West Kazakhstan Region"),
    ("KZ-31", "Жамбылской области", "Жамбыл облысы", "Jambyl Region"),
    ("KZ-33", "области Жетісу", "Жетісу облысы", "Jetisu Region"),
    ("KZ-35", "Карагандинской области", "Қарағанды облысы", "Karaganda Region"),
    ("KZ-39", "Костанайской области", "Қостанай облысы", "Kostanay Region"),
    ("KZ-43", "Кызылординской области", "Қызылорда облысы", "Kyzylorda Region"),
    ("KZ-47", "Мангистауской области", "Маңғыстау облысы", "Mangystau Region"),
    ("KZ-55", "Павлодарской области", "Павлодар облысы", "Pavlodar Region"),
    ("KZ-59", "Северо-Казахстанской области", "Солтүстік Қазақстан облысы", "North Kazakhstan Region"),
    ("KZ-61", "Туркестанской области", "Түркістан облысы", "Turkistan Region"),
    ("KZ-62", "области Ұлытау", "Ұлытау облысы", "Ulytau Region"),
    ("KZ-63", "Восточно-Казахстанской области", "Шығыс Қазақстан облысы", "East Kazakhstan Region"),
    ("KZ-71", "городу Астане", "Астана қаласы", "Astana"),
    ("KZ-75", "городу Алматы", "Алматы қаласы", "Almaty"),
    ("KZ-79", "городу Шымкенту", "Шымкент қаласы", "Shymkent"),
]
REGION_BY_CODE = {r[0]: r for r in REGIONS}

# Ministries: (Russian genitive, Kazakh, English)
MINISTRIES = [
    ("финансов", "Қаржы", "Finance"),
    ("цифрового развития", "Цифрлық даму", "Digital Development"),
    ("здравоохранения", "Денсаулық сақтау", "Healthcare"),
    ("энергетики", "Энергетика", "Energy"),
    ("юстиции", "Әділет", "Justice"),
    ("просвещения", "Оқу-ағарту", "Enlightenment"),
    ("сельского хозяйства", "Ауыл шаруашылығы", "Agriculture"),
    ("транспорта", "Көлік", "Transport"),
    ("экологии и природных ресурсов", "Экология және табиғи ресурстар", "Ecology and Natural Resources"),
    ("культуры и информации", "Мәдениет және ақпарат", "Culture and Information"),
    ("труда и социальной защиты населения", "Еңбек және халықты әлеуметтік қорғау", "Labour and Social Protection"),
    ("промышленности и строительства", "Өнеркәсіп және құрылыс", "Industry and Construction"),
    ("туризма и спорта", "Туризм және спорт", "Tourism and Sports"),
    ("водных ресурсов и ирригации", "Су ресурстары және ирригация", "Water Resources and Irrigation"),
    ("науки и высшего образования", "Ғылым және жоғары білім", "Science and Higher Education"),
    ("национальной экономики", "Ұлттық экономика", "National Economy"),
    ("торговли и интеграции", "Сауда және интеграция", "Trade and Integration"),
    ("по чрезвычайным ситуациям", "Төтенше жағдайлар", "Emergency Situations"),
]

# Committees and departments: (Russian genitive, Kazakh, English)
COMMITTEES = [
    ("государственных доходов", "Мемлекеттік кірістер", "State Revenue"),
    ("казначейства", "Қазынашылық", "Treasury"),
    ("информационной безопасности", "Ақпараттық қауіпсіздік", "Information Security"),
    ("телекоммуникаций", "Телекоммуникациялар", "Telecommunications"),
    ("геологии", "Геология", "Geology"),
    ("статистики", "Статистика", "Statistics"),
    ("санитарно-эпидемиологического контроля", "Санитариялық-эпидемиологиялық бақылау", "Sanitary and Epidemiological Control"),
    ("лесного хозяйства и животного мира", "Орман шаруашылығы және жануарлар дүниесі", "Forestry and Wildlife"),
    ("регистрационной службы", "Тіркеу қызметі", "Registration Service"),
    ("по делам молодёжи и семьи", "Жастар және отбасы істері", "Youth and Family Affairs"),
    ("водного хозяйства", "Су шаруашылығы", "Water Management"),
    ("технического регулирования и метрологии", "Техникалық реттеу және метрология", "Technical Regulation and Metrology"),
    ("промышленной безопасности", "Өнеркәсіптік қауіпсіздік", "Industrial Safety"),
    ("цифровой трансформации", "Цифрлық трансформация", "Digital Transformation"),
    ("гражданской авиации", "Азаматтық авиация", "Civil Aviation"),
    ("ветеринарного контроля и надзора", "Ветеринариялық бақылау және қадағалау", "Veterinary Control"),
]

# Local executive departments: (Russian genitive, Kazakh, English)
LOCAL_DEPARTMENTS = [
    ("образования", "Білім", "Education"),
    ("жилищно-коммунального хозяйства", "Тұрғын үй-коммуналдық шаруашылығы", "Housing and Utilities"),
    ("предпринимательства и промышленности", "Кәсіпкерлік және өнеркәсіп", "Entrepreneurship"),
    ("земельных отношений", "Жер қатынастары", "Land Relations"),
    ("культуры и развития языков", "Мәдениет және тілдерді дамыту", "Culture and Languages"),
    ("физической культуры и спорта", "Дене шынықтыру және спорт", "Physical Culture and Sports"),
    ("занятости и социальных программ", "Жұмыспен қамту және әлеуметтік бағдарламалар", "Employment and Social Programmes"),
    ("экономики и финансов", "Экономика және қаржы", "Economy and Finance"),
    ("архитектуры и градостроительства", "Сәулет және қала құрылысы", "Architecture and Urban Planning"),
    ("сельского хозяйства", "Ауыл шаруашылығы", "Agriculture"),
    ("пассажирского транспорта и автодорог", "Жолаушылар көлігі және автомобиль жолдары", "Transport and Roads"),
    ("цифровизации и государственных услуг", "Цифрландыру және мемлекеттік қызметтер", "Digitalisation and Public Services"),
]

# Districts: (Kazakh, Russian)
DISTRICTS = [
    ("Сарыарқа", "Сарыарка"), ("Алатау", "Алатау"), ("Есіл", "Есиль"), ("Бәйтерек", "Байтерек"),
    ("Жаңаарқа", "Жанаарка"), ("Қарасай", "Карасай"), ("Талғар", "Талгар"), ("Ұйғыр", "Уйгур"),
    ("Көкпекті", "Кокпекты"), ("Шұбарқұдық", "Шубаркудук"), ("Үржар", "Урджар"), ("Іле", "Иле"),
    ("Ақсу", "Аксу"), ("Ордабасы", "Ордабасы"), ("Сайрам", "Сайрам"), ("Түлкібас", "Тюлькубас"),
    ("Мұғалжар", "Мугалжар"), ("Қызылжар", "Кызылжар"), ("Әйтеке би", "Айтеке би"), ("Бұқар жырау", "Бухар-Жырау"),
    ("Қармақшы", "Кармакшы"), ("Жаңақала", "Жанакала"), ("Тарбағатай", "Тарбагатай"), ("Ерейментау", "Ерейментау"),
    ("Мақтаарал", "Мактаарал"), ("Сырым", "Сырым"), ("Теңіз", "Тениз"), ("Өскемен", "Усть-Каменогорск"),
]

BRAND_FIRST = [
    "Ақ", "Қазақ", "Самұрық", "Бәйтерек", "Нұр", "Алтын", "Көк", "Жаңа", "Ұлы", "Өркен",
    "Шұғыла", "Дәурен", "Ғарыш", "Сарыарқа", "Жетісу", "Атамекен", "Қыран", "Іргелі",
    "Мұһит", "Тұран", "Әлем", "Еңбек", "Ырыс", "Құлагер",
]
BRAND_SECOND = [
    "Жол", "Су", "Жарық", "Энерго", "Сервис", "Орда", "Тас", "Дала", "Өрлеу", "Құрылыс",
    "Жиһаз", "Даму", "Ұя", "Шапағат", "Тұлпар", "Іргетас", "Қуат", "Технолоджи", "Медиа",
    "Агро", "Транс", "Инвест", "Сәулет", "Мұнай", "Дәрі", "Білім", "Ғылым", "Жылу",
]

SURNAMES = [  # masculine form (Cyrillic, Latin for emails); feminine forms are derived
    ("Әбдірахманов", "abdirakhmanov"), ("Қасымов", "kassymov"), ("Нұрпейісов", "nurpeissov"),
    ("Сейітқали", "seitkali"), ("Ғабдуллин", "gabdullin"), ("Ермекбаев", "yermekbayev"),
    ("Жұмабаев", "zhumabayev"), ("Оспанов", "ospanov"), ("Қалиев", "kaliyev"),
    ("Сәрсенбаев", "sarsenbayev"), ("Бекмұхамбетов", "bekmukhambetov"), ("Төлегенов", "tolegenov"),
    ("Үсенов", "ussenov"), ("Іскаков", "iskakov"), ("Мұқанов", "mukanov"), ("Шәкенов", "shakenov"),
    ("Ыбыраев", "ybyrayev"), ("Ахметов", "akhmetov"), ("Байжанов", "baizhanov"),
    ("Құдайбергенов", "kudaibergenov"), ("Серікбаев", "serikbayev"), ("Әлімжанов", "alimzhanov"),
    ("Досмұхамедов", "dosmukhamedov"), ("Омаров", "omarov"), ("Ким", "kim"), ("Пак", "pak"),
    ("Иванов", "ivanov"), ("Шевченко", "shevchenko"), ("Петров", "petrov"), ("Һашимов", "hashimov"),
]
FIRST_NAMES = [  # (Cyrillic, Latin initial, female)
    ("Айгүл", "a", True), ("Серік", "s", False), ("Нұрлан", "n", False), ("Әсел", "a", True),
    ("Ерлан", "y", False), ("Гүлнар", "g", True), ("Бауыржан", "b", False), ("Дәулет", "d", False),
    ("Қайрат", "k", False), ("Жанар", "zh", True), ("Мөлдір", "m", True), ("Ғалия", "g", True),
    ("Арман", "a", False), ("Ұлан", "u", False), ("Айдана", "a", True), ("Дмитрий", "d", False),
    ("Елена", "y", True), ("Іңкәр", "i", True), ("Өмірзақ", "o", False), ("Сәуле", "s", True),
]
FATHER_NAMES = ["Нұрлан", "Серік", "Ерлан", "Қанат", "Болат", "Әлібек", "Төлеген", "Жұмабек", "Ғани"]
PHONE_OPERATORS = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778"]

BIN_W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def bin_check_digit(first11: str) -> int | None:
    """The check digit of a BIN's first 11 digits, or None when the number cannot exist."""
    d = [int(c) for c in first11]
    s = sum(d[i] * (i + 1) for i in range(11)) % 11
    if s == 10:
        s = sum(d[i] * BIN_W2[i] for i in range(11)) % 11
        if s == 10:
            return None
    return s


assert bin_check_digit("94014000038") == 5, "BIN check digit"


class BinMaker:
    """Unique valid BINs: YYMM (years 00..23, months 01..12) + '4' + '0' + serial + check."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            yymm = "%02d%02d" % (self.rng.randrange(0, 24), self.rng.randrange(1, 13))
            first11 = "%s40%05d" % (yymm, self.rng.randrange(0, 100000))
            check = bin_check_digit(first11)
            if check is None:
                continue
            value = first11 + str(check)
            if value in self.used:
                continue
            self.used.add(value)
            return value


def level_plan(rows: int) -> tuple[int, int]:
    """(roots, fan-out) so that levels 0..3 are full trees and level 4 takes the rest."""
    for fan in range(10, 0, -1):
        per_root_top = sum(fan**k for k in range(4))  # levels 0..3 under one root
        roots = max(1, rows // (per_root_top + fan**4))
        if roots * per_root_top < rows:
            return roots, fan
    raise ValueError("need at least 5 rows for a tree five levels deep")


TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya",
     "a", "g", "k", "n", "o", "u", "u", "h", "i"],
))


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(c, c if c.isascii() and (c.isalnum() or c in " -") else "")
                   for c in text.lower())


@dataclass
class Org:
    bin: str
    level: int
    parent: int | None  # index in the list
    region: str
    headcount: int
    name_kk: str
    name_ru: str
    name_en: str
    topic: int = 0      # index into COMMITTEES / MINISTRIES for naming children
    district: int = 0   # index into DISTRICTS


class RegistryGenerator:
    def __init__(self, rows: int, seed: int):
        self.rows = rows
        self.rng = random.Random(seed)
        self.bins = BinMaker(self.rng)
        self.orgs: list[Org] = []

    # -- names ---------------------------------------------------------------

    def brand(self) -> str:
        a, b = self.rng.choice(BRAND_FIRST), self.rng.choice(BRAND_SECOND)
        r = self.rng.random()
        if r < 0.45:
            return f"{a} {b}"
        if r < 0.75:
            return a + b.lower()
        if r < 0.9:
            return f"{a} {b}".upper()
        return f"{a}-{b} {self.rng.randrange(1, 100)}"

    def names(self, level: int, parent: Org | None, index: int, org: Org) -> tuple[str, str, str]:
        rng = self.rng
        if level == 0:
            m_ru, m_kk, m_en = MINISTRIES[index % len(MINISTRIES)]
            org.topic = index % len(MINISTRIES)
            extra = index // len(MINISTRIES)
            suffix_ru = f" (филиал № {extra})" if extra else ""
            suffix_kk = f" (№ {extra} филиалы)" if extra else ""
            return (
                f"Қазақстан Республикасының {m_kk} министрлігі{suffix_kk}",
                f"Министерство {m_ru} Республики Казахстан{suffix_ru}",
                f"Ministry of {m_en} of the Republic of Kazakhstan",
            )
        if level == 1:
            m_ru, m_kk, m_en = MINISTRIES[parent.topic]
            org.topic = rng.randrange(len(COMMITTEES))
            c_ru, c_kk, c_en = COMMITTEES[org.topic]
            return (
                f"Қазақстан Республикасы {m_kk} министрлігінің {c_kk.lower()} комитеті",
                f"Комитет {c_ru} Министерства {m_ru} Республики Казахстан",
                f"{c_en} Committee of the Ministry of {m_en}",
            )
        if level == 2:
            org.topic = parent.topic
            c_ru, c_kk, c_en = COMMITTEES[org.topic]
            _, r_ru, r_kk, r_en = REGION_BY_CODE[org.region]
            return (
                f"{r_kk} бойынша {c_kk.lower()} департаменті",
                f"Департамент {c_ru} по {r_ru}",
                f"{c_en} Department for {r_en}",
            )
        if level == 3:
            org.district = rng.randrange(len(DISTRICTS))
            org.topic = rng.randrange(len(LOCAL_DEPARTMENTS))
            d_kk, d_ru = DISTRICTS[org.district]
            t_ru, t_kk, t_en = LOCAL_DEPARTMENTS[org.topic]
            return (
                f"{d_kk} ауданы әкімдігінің {t_kk.lower()} бөлімі",
                f"Отдел {t_ru} акимата района {d_ru}",
                f"{t_en} Department of the {translit(d_kk).title()} District Akimat",
            )
        # level 4: quasi-public organizations and state enterprises
        d_kk, d_ru = DISTRICTS[parent.district]
        b = self.brand()
        form = rng.randrange(4)
        if form == 0:
            kk, ru, en = f"«{b}» ЖШС", f"ТОО «{b}»", f"{translit(b).title()} LLP"
        elif form == 1:
            kk, ru, en = f"«{b}» акционерлік қоғамы", f"АО «{b}»", f"{translit(b).title()} JSC"
        elif form == 2:
            kk = f"{d_kk} ауданы әкімдігінің шаруашылық жүргізу құқығындағы «{b}» МКК"
            ru = f"ГКП на ПХВ «{b}» акимата района {d_ru}"
            en = f"{translit(b).title()} municipal enterprise"
        else:
            n = rng.randrange(1, 300)
            kk = f"{d_kk} ауданы білім бөлімінің «№ {n} мектеп-гимназиясы» КММ"
            ru = f"КГУ «Школа-гимназия № {n}» отдела образования района {d_ru}"
            en = f"School-Gymnasium No. {n}"
        return kk, ru, (en if rng.random() < 0.5 else "")

    def person(self) -> tuple[str, str]:
        rng = self.rng
        (surname, s_lat), (first, f_lat, female) = rng.choice(SURNAMES), rng.choice(FIRST_NAMES)
        if female and surname.endswith(("ов", "ев", "ин")):
            surname, s_lat = surname + "а", s_lat + "a"
        name = f"{surname} {first}"
        if rng.random() < 0.6:
            name += " " + rng.choice(FATHER_NAMES) + ("қызы" if female else "ұлы")
        email = f"{f_lat}.{s_lat}{rng.randrange(1, 1000)}@example.kz"
        return name, email

    def phone(self) -> str:
        r = self.rng.randrange
        return f"+7 {self.rng.choice(PHONE_OPERATORS)} {r(100, 1000)} {r(10, 100)} {r(10, 100)}"

    # -- tree ----------------------------------------------------------------

    def generate(self) -> list[Org]:
        rng = self.rng
        roots, fan = level_plan(self.rows)
        level_sizes = [roots * fan**k for k in range(4)]
        level_sizes.append(self.rows - sum(level_sizes))
        prev: list[int] = []
        for level, size in enumerate(level_sizes):
            current: list[int] = []
            for i in range(size):
                parent_index = prev[i % len(prev)] if prev else None
                parent = self.orgs[parent_index] if parent_index is not None else None
                if level < 2:
                    region = "republican"
                elif level == 2 or rng.random() < 0.1:
                    region = rng.choice(REGIONS)[0]
                else:
                    region = parent.region
                org = Org(
                    bin=self.bins.next(), level=level, parent=parent_index, region=region,
                    headcount=rng.randrange(0, 5001), name_kk="", name_ru="", name_en="",
                )
                org.name_kk, org.name_ru, org.name_en = self.names(level, parent, i, org)
                current.append(len(self.orgs))
                self.orgs.append(org)
            prev = current
        return self.orgs

    def write_csv(self, path: Path) -> None:
        header = ["bin", "kind", "parent_bin", "region", "headcount", "name_kk", "name_ru",
                  "name_en", "it_head_name", "it_head_email", "it_head_phone", "head_name",
                  "head_email"]
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for org in self.orgs:
                it_name, it_email = self.person()
                head_name, head_email = self.person()
                w.writerow([
                    org.bin, KIND_BY_LEVEL[org.level],
                    self.orgs[org.parent].bin if org.parent is not None else "",
                    org.region, org.headcount, org.name_kk, org.name_ru, org.name_en,
                    it_name, it_email, self.phone(), head_name, head_email,
                ])


# ---------------------------------------------------------------------------
# Request mixes
# ---------------------------------------------------------------------------

WORD_RE = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def vary_case(rng: random.Random, word: str) -> str:
    r = rng.random()
    if r < 0.3:
        return word.lower()
    if r < 0.5:
        return word.upper()
    if r < 0.75:
        return word[:1].upper() + word[1:].lower()
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


class RequestMix:
    """The URLs each measured endpoint cycles through, drawn from the generated data."""

    def __init__(self, orgs: list[Org], seed: int):
        self.rng = random.Random(seed + 1)
        self.orgs = orgs
        combos = sorted({(KIND_BY_LEVEL[o.level], o.region) for o in orgs})
        self.combos = combos
        self.level1 = [o.bin for o in orgs if o.level == 1]
        words: set[str] = set()
        sample = orgs if len(orgs) <= 5000 else self.rng.sample(orgs, 5000)
        for o in sample:
            words.update(WORD_RE.findall(o.name_kk))
            words.update(WORD_RE.findall(o.name_ru))
        self.words = sorted(words)

    def list_path(self, i: int) -> str:
        kind, region = self.rng.choice(self.combos)
        params = {"kind": kind, "region": region, "per_page": 50}
        if i % 4 == 3:
            params["sort"] = "-headcount"
        return "/api/v1/organizations?" + urllib.parse.urlencode(params)

    def search_term(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.1:  # a BIN prefix of 4 to 8 digits
            return rng.choice(self.orgs).bin[: rng.randrange(4, 9)]
        word = rng.choice(self.words)
        if r < 0.35 and len(word) > 5:  # a fragment, as people type
            word = word[: rng.randrange(4, min(len(word), 8) + 1)]
        return vary_case(rng, word)

    def search_path(self, i: int) -> str:
        q = urllib.parse.urlencode({"q": self.search_term(), "per_page": 50})
        return "/api/v1/organizations?" + q

    def get_path(self, i: int) -> str:
        return f"/api/v1/organizations/{self.rng.choice(self.orgs).bin}"

    def subtree_path(self, i: int) -> str:
        return f"/api/v1/organizations/{self.rng.choice(self.level1)}/subtree?per_page=50"

    def path(self, endpoint: str, i: int) -> str:
        return getattr(self, f"{endpoint}_path")(i)

    @staticmethod
    def variant(endpoint: str, path: str) -> str | None:
        """A finer label for the JSON breakdown: which kind of request this was."""
        if endpoint == "list":
            return "sort_headcount_desc" if "sort=-headcount" in path else "sort_default"
        if endpoint == "search":
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("q", [""])[0]
            return "bin_prefix" if q.isdigit() else "name"
        return None


# ---------------------------------------------------------------------------
# HTTP: every call goes through Api, which adds the bearer token when given
# ---------------------------------------------------------------------------

class Api:
    def __init__(self, port: int, token: str | None, timeout: float = 30.0):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def headers(self) -> dict[str, str]:
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return h

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def get(self, path: str) -> tuple[int | None, bytes, float]:
        """(status or None on a connection error, body or error text, seconds)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        start = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=self.headers())
            resp = self.conn.getresponse()
            body = resp.read()
            elapsed = time.perf_counter() - start
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return resp.status, body, elapsed
        except (OSError, http.client.HTTPException) as e:
            elapsed = time.perf_counter() - start
            self.close()
            return None, f"{type(e).__name__}: {e}".encode(), elapsed


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def build_release() -> Path:
    log("cargo build --release (waits if another cargo holds the build lock)")
    result = subprocess.run(["cargo", "build", "--release"], cwd=REPO_ROOT)
    if result.returncode != 0:
        raise SystemExit(f"cargo build --release failed with exit code {result.returncode}")
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    if not target.is_absolute():
        target = REPO_ROOT / target
    binary = target / "release" / "aitu-tracker"
    if not binary.is_file():
        raise SystemExit(f"the build finished but {binary.name} is not in the release folder")
    return binary


def service_env(database_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env["AITU__DATABASE__URL"] = database_url
    env["AITU__SERVER__BIND"] = f"{HOST}:{port}"
    env["RUST_LOG"] = "warn"
    # Every generated unit is overdue: with reminders on, a service started in the
    # sending window would email all of them while the latencies are measured.
    # bench/reminders.py measures that pass.
    env["AITU__REMINDERS__ENABLED"] = "false"
    return env


def parse_time_v(stderr: str) -> dict:
    """Wall-clock seconds, peak RSS (KiB) and CPU times from `/usr/bin/time -v`."""
    out: dict = {}
    for line in stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            value = line.rsplit(": ", 1)[-1].strip()
            parts = [float(p) for p in value.split(":")]
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + p
            out["wall_s"] = seconds
        elif line.startswith("Maximum resident set size"):
            out["max_rss_kib"] = int(line.rsplit(":", 1)[-1])
        elif line.startswith("User time (seconds)"):
            out["user_s"] = float(line.rsplit(":", 1)[-1])
        elif line.startswith("System time (seconds)"):
            out["sys_s"] = float(line.rsplit(":", 1)[-1])
        elif line.startswith("Exit status"):
            out["exit_status"] = int(line.rsplit(":", 1)[-1])
    return out


def strip_time_v(stderr: str) -> str:
    """The program's own stderr, without the `/usr/bin/time -v` report."""
    marker = "\tCommand being timed:"
    i = stderr.find(marker)
    return stderr[:i] if i >= 0 else stderr


# ---------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------

def ensure_wrk() -> tuple[str | None, str | None]:
    """(path to wrk, None) or (None, why it is unavailable)."""
    path = shutil.which("wrk")
    if path:
        return path, None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "wrk is not installed (and not root, so not installing it)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log("wrk is missing: apt-get install -y wrk")
    attempts = [["apt-get", "install", "-y", "wrk"]]
    try:
        r = subprocess.run(attempts[0], env=env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            log("apt-get install failed; trying apt-get update first")
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True,
                           timeout=600)
            r = subprocess.run(attempts[0], env=env, capture_output=True, text=True,
                               timeout=600)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"installing wrk failed: {e}"
    path = shutil.which("wrk")
    if path:
        return path, None
    return None, "installing wrk failed: " + tail(r.stderr or r.stdout, 2).replace("\n", " ")


WRK_RPS_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON2XX_RE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_TOTAL_RE = re.compile(r"(\d+) requests in ([\d.]+\w+)")
WRK_ERRORS_RE = re.compile(r"Socket errors:(.*)")
WRK_LATENCY_RE = re.compile(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)")


def try_wrk(wrk: str, api: Api, path: str) -> dict:
    """run_wrk, with a failure to start wrk as the result's error."""
    try:
        return run_wrk(wrk, api, path)
    except (OSError, subprocess.SubprocessError) as e:
        return {"error": str(e)}


def run_wrk(wrk: str, api: Api, path: str) -> dict:
    cmd = [wrk, *WRK_ARGS]
    for name, value in api.headers().items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(api.url(path))
    shown = shlex.join(c if not c.startswith("Authorization") else "Authorization: Bearer ***"
                       for c in cmd[1:])
    log(f"wrk {shown}")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    result: dict = {"command": "wrk " + shown, "exit_code": r.returncode}
    m = WRK_RPS_RE.search(r.stdout)
    result["requests_per_s"] = float(m.group(1)) if m else None
    m = WRK_NON2XX_RE.search(r.stdout)
    result["non_2xx"] = int(m.group(1)) if m else 0
    m = WRK_TOTAL_RE.search(r.stdout)
    if m:
        result["requests"] = int(m.group(1))
    m = WRK_ERRORS_RE.search(r.stdout)
    result["socket_errors"] = m.group(1).strip() if m else None
    m = WRK_LATENCY_RE.search(r.stdout)
    if m:
        result["latency_avg"], result["latency_stdev"], result["latency_max"] = m.groups()
    if result["requests_per_s"] is None:
        result["error"] = tail(r.stderr or r.stdout, 3)
    return result


# ---------------------------------------------------------------------------
# One backend
# ---------------------------------------------------------------------------

@dataclass
class BackendResult:
    backend: str
    error: str | None = None
    imported: dict = field(default_factory=dict)
    endpoints: dict = field(default_factory=dict)
    wrk: dict = field(default_factory=dict)
    # The same wrk run with an observer's token (no contact data, so no audit write).
    wrk_observer: dict = field(default_factory=dict)
    server: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class PgDatabase:
    """A fresh database for one run, dropped at the end."""

    def __init__(self, pg_url: str):
        self.admin_url = pg_url
        self.name = "aitu_bench_" + secrets.token_hex(4)
        parts = urllib.parse.urlsplit(pg_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self.created = False

    def psql(self, sql: str, url: str | None = None) -> None:
        r = subprocess.run(["psql", url or self.admin_url, "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-c", sql], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"psql '{sql}' failed: {tail(r.stderr, 3)}")

    def create(self) -> None:
        if shutil.which("psql") is None:
            raise RuntimeError("psql is not installed")
        self.psql(f"CREATE DATABASE {self.name}")
        self.created = True
        log(f"created PostgreSQL database {self.name}")

    def drop(self) -> None:
        if self.created:
            try:
                self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
                log(f"dropped PostgreSQL database {self.name}")
            except Exception as e:  # noqa: BLE001 - cleanup must not hide the result
                log(f"could not drop database {self.name}: {e}")


def fresh_database(backend: str, workdir: Path, name: str,
                   pg_url: str) -> tuple[str, PgDatabase | None]:
    """The URL of an empty database for one run: a SQLite file `name` in `workdir`
    (left-overs of an earlier run removed), or a new PostgreSQL database on `pg_url`
    (returned too, so the caller drops it at the end)."""
    if backend == "sqlite":
        db_path = workdir / name
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        return f"sqlite://{db_path}", None
    pg = PgDatabase(pg_url)
    pg.create()
    return pg.url, pg


def run_import(binary: Path, env: dict, csv_path: Path, rows: int, result: BackendResult) -> bool:
    time_bin = Path("/usr/bin/time")
    cmd = [str(binary), "import", "organizations", str(csv_path)]
    log(f"{result.backend}: importing {rows} rows")
    if time_bin.exists():
        r = subprocess.run([str(time_bin), "-v", *cmd], env=env, capture_output=True, text=True,
                           cwd=REPO_ROOT)
        measured = parse_time_v(r.stderr)
        own_stderr = strip_time_v(r.stderr)
        measured["measured_by"] = "/usr/bin/time -v"
    else:
        # Fallback: wall time here, peak RSS from the child's rusage.
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=REPO_ROOT)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout, stderr = proc.stdout.read(), proc.stderr.read()
        r = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
        own_stderr = stderr
        measured = {"wall_s": wall, "max_rss_kib": rusage.ru_maxrss,
                    "user_s": rusage.ru_utime, "sys_s": rusage.ru_stime,
                    "measured_by": "os.wait4 (no /usr/bin/time)"}
        result.notes.append("/usr/bin/time not found: import measured with os.wait4")
    result.imported = {
        "exit_code": r.returncode,
        "output": r.stdout.strip(),
        **measured,
    }
    if r.returncode != 0:
        result.error = f"import failed (exit {r.returncode}): {tail(own_stderr, 5)}"
        return False
    wall = measured.get("wall_s")
    if wall:
        result.imported["rows_per_s"] = rows / wall
    if "max_rss_kib" in measured:
        result.imported["peak_mb"] = measured["max_rss_kib"] / 1024
    log(f"{result.backend}: import took {wall:.2f} s, peak RSS "
        f"{result.imported.get('peak_mb', float('nan')):.1f} MB: {r.stdout.strip()}")
    return True


def supports_tokens(binary: Path) -> bool:
    """Whether this build has the `token create` command (authentication)."""
    try:
        r = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return re.search(r"^\s+token\s", r.stdout, re.MULTILINE) is not None


def provision_token(binary: Path, env: dict, result: BackendResult,
                    role: str = "admin") -> str | None:
    """Creates an account with `role` and an API token in the fresh benchmark database.

    A token given with --token cannot be valid in a database this script has just
    created, so when none is given and the service knows API tokens, make one."""
    email = f"registry-bench-{role}@example.kz"
    add = subprocess.run(
        [str(binary), "user", "add", "--email", email, "--name", f"Registry benchmark {role}",
         "--role", role],
        env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    if add.returncode != 0:
        result.notes.append(f"could not create the benchmark account: {tail(add.stderr, 2)}")
        return None
    made = subprocess.run(
        [str(binary), "token", "create", "--email", email, "--name", "registry-bench"],
        env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    lines = made.stdout.strip().splitlines()
    if made.returncode != 0 or not lines:
        result.notes.append(f"could not create an API token: {tail(made.stderr, 2)}")
        return None
    if role == "admin":
        result.notes.append("API calls use a token made for an admin account in the "
                            "benchmark database")
    return lines[-1].strip()


def wait_ready(api: Api, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}: "
                               f"{tail(log_path.read_text(errors='replace'), 5)}")
        status, body, _ = api.get("/readyz")
        if status == 200:
            return
        last = f"{status}: {body[:200].decode(errors='replace')}"
        api.close()
        time.sleep(0.1)
    raise RuntimeError(f"/readyz did not answer 200 within {READY_TIMEOUT_S:.0f} s (last: {last})")


def measure(api: Api, mix: RequestMix, endpoint: str, count: int) -> dict:
    latencies: list[float] = []
    failures: list[dict] = []
    totals: list[int] = []
    by_variant: dict[str, list[float]] = {}
    for i in range(count):
        path = mix.path(endpoint, i)
        status, body, elapsed = api.get(path)
        if status == 200:
            latencies.append(elapsed * 1000)
            variant = mix.variant(endpoint, path)
            if variant:
                by_variant.setdefault(variant, []).append(elapsed * 1000)
            if endpoint != "get":
                try:
                    totals.append(json.loads(body)["total"])
                except (ValueError, KeyError, TypeError):
                    pass
        else:
            failures.append({"path": path, "status": status,
                             "body": body[:300].decode(errors="replace")})
    latencies.sort()
    out = {
        "requests": count,
        "ok": len(latencies),
        "failures": len(failures),
        "failure_samples": failures[:5],
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": sum(latencies) / len(latencies) if latencies else None,
        "max_ms": latencies[-1] if latencies else None,
    }
    if totals:
        out["mean_total_matches"] = sum(totals) / len(totals)
    if by_variant:
        out["variants"] = {}
        for name, values in sorted(by_variant.items()):
            values.sort()
            out["variants"][name] = {"ok": len(values), "p50_ms": percentile(values, 50),
                                     "p95_ms": percentile(values, 95),
                                     "p99_ms": percentile(values, 99)}
    return out


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        log("the server did not stop within 40 s of SIGTERM; killing it")
        proc.kill()
        proc.wait()


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_backend(backend: str, args, binary: Path, workdir: Path, csv_path: Path,
                orgs: list[Org], wrk: str | None, wrk_skip: str | None) -> BackendResult:
    result = BackendResult(backend)
    pg: PgDatabase | None = None
    proc: subprocess.Popen | None = None
    api: Api | None = None
    try:
        database_url, pg = fresh_database(backend, workdir, "bench.db", args.pg_url)
        port = free_port()
        env = service_env(database_url, port)
        # Extra imports into throwaway databases first: on a shared machine one load
        # can vary by a fifth, so the table reports the median of all of them.
        runs = []
        for k in range(1, args.imports):
            extra = BackendResult(backend)
            scratch_pg = PgDatabase(args.pg_url) if pg is not None else None
            scratch_db = workdir / f"bench-extra-{k}.db"
            try:
                if scratch_pg is not None:
                    scratch_pg.create()
                    scratch_url = scratch_pg.url
                else:
                    scratch_url = f"sqlite://{scratch_db}"
                if not run_import(binary, service_env(scratch_url, port), csv_path, len(orgs),
                                  extra):
                    result.error = extra.error
                    return result
                runs.append(extra.imported)
            finally:
                if scratch_pg is not None:
                    scratch_pg.drop()
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(str(scratch_db) + suffix).unlink(missing_ok=True)
        if not run_import(binary, env, csv_path, len(orgs), result):
            return result
        runs.append(dict(result.imported))
        if len(runs) > 1:
            rates = sorted(r["rows_per_s"] for r in runs if r.get("rows_per_s"))
            peaks = [r["peak_mb"] for r in runs if r.get("peak_mb")]
            result.imported["runs"] = runs
            if rates:
                result.imported["rows_per_s"] = statistics.median(rates)
                result.notes.append(
                    f"{len(runs)} imports: rows/s median {statistics.median(rates):,.0f}, "
                    f"slowest {rates[0]:,.0f}, fastest {rates[-1]:,.0f}; the latencies are "
                    "measured on the last one's database")
            if peaks:
                result.imported["peak_mb"] = max(peaks)

        if pg is not None and args.analyze:
            # Autovacuum would do this soon after a bulk load; doing it here keeps the
            # figures from depending on whether it has run yet (or is off).
            start = time.perf_counter()
            pg.psql("ANALYZE", url=pg.url)
            result.server["analyzed_after_import"] = True
            result.notes.append("ANALYZE was run after the import (--no-analyze to skip)")
            log(f"postgres: ANALYZE took {time.perf_counter() - start:.1f} s")

        token = args.token
        if not token and supports_tokens(binary):
            token = provision_token(binary, env, result)
        result.server["token"] = ("given" if args.token else
                                    "provisioned" if token else "none")
        observer_token = (provision_token(binary, env, result, role="observer")
                          if token and not args.token else None)

        log_path = workdir / f"serve-{backend}.log"
        with log_path.open("w") as server_log:
            proc = subprocess.Popen([str(binary), "serve"], env=env, cwd=REPO_ROOT,
                                    stdout=server_log, stderr=subprocess.STDOUT)
        api = Api(port, token)
        wait_ready(api, proc, log_path)
        log(f"{backend}: server ready on port {port}")

        # Sanity: the registry holds every row of the file.
        status, body, _ = api.get("/api/v1/organizations?per_page=1")
        if status == 200:
            try:
                total = json.loads(body).get("total")
            except (ValueError, AttributeError):
                total = None
            result.server["rows_in_registry"] = total
            if total != len(orgs):
                result.notes.append(f"the registry lists {total} organizations, "
                                    f"the file has {len(orgs)}")
        else:
            result.notes.append(f"counting the registry answered {status}")

        mix = RequestMix(orgs, args.seed)
        result.server["load_average_before_latency"] = load_average()
        for i in range(WARMUP_REQUESTS):
            api.get(mix.path(ENDPOINTS[i % len(ENDPOINTS)], i))
        for endpoint in ENDPOINTS:
            log(f"{backend}: {args.requests} sequential requests: {endpoint}")
            result.endpoints[endpoint] = measure(api, mix, endpoint, args.requests)
        api.close()

        if wrk:
            path = mix.get_path(0)
            result.wrk = try_wrk(wrk, api, path)
            if observer_token:
                result.wrk_observer = try_wrk(wrk, Api(port, observer_token), path)
            else:
                result.wrk_observer = {"skipped": "no observer token (only made when the "
                                                  "script makes its own tokens)"}
        else:
            result.wrk = {"skipped": wrk_skip}
            result.wrk_observer = {"skipped": wrk_skip}
        result.server["peak_rss_mb"] = peak_rss_mb(proc.pid)
    except Exception as e:  # noqa: BLE001 - one backend failing must not stop the other
        result.error = f"{type(e).__name__}: {e}"
    finally:
        if api is not None:
            api.close()
        if proc is not None:
            stop_server(proc)
            if proc.returncode not in (0, None):
                result.notes.append(f"the server exited with code {proc.returncode}")
            try:
                logged = (workdir / f"serve-{backend}.log").read_text(errors="replace")
            except OSError:
                logged = ""
            if logged.strip():
                lines = logged.strip().splitlines()
                result.server["log_tail"] = lines[-20:]
                result.notes.append(f"the server logged {len(lines)} line(s) at warn or above; "
                                    f"last: {lines[-1][:200]}")
        if pg is not None:
            pg.drop()
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def fmt_num(value, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}".replace(",", " ") if digits == 0 else f"{value:.{digits}f}"


def fmt_lat(ep: dict | None) -> str:
    if not ep or ep.get("p50_ms") is None:
        return "n/a"
    s = "/".join(f"{ep[k]:.1f}" for k in ("p50_ms", "p95_ms", "p99_ms"))
    if ep.get("failures"):
        s += f" ({ep['failures']} failed)"
    return s


def wrk_cell(run: dict) -> str:
    if run.get("requests_per_s") is not None:
        cell = fmt_num(run["requests_per_s"])
        if run.get("non_2xx"):
            cell += f" ({run['non_2xx']} non-2xx)"
        return cell
    return "skipped" if run.get("skipped") else "n/a"


def table(results: list[BackendResult], args) -> str:
    header = ["backend", "import rows/s", "import peak MB", "list p50/p95/p99 ms",
              "search p50/p95/p99 ms", "get-by-BIN p50/p95/p99 ms", "subtree p50/p95/p99 ms",
              "get-by-BIN req/s (wrk): admin", "observer"]
    rows = []
    for r in results:
        rows.append([
            r.backend,
            fmt_num(r.imported.get("rows_per_s")),
            fmt_num(r.imported.get("peak_mb"), 1) if r.imported.get("peak_mb") else "n/a",
            fmt_lat(r.endpoints.get("list")),
            fmt_lat(r.endpoints.get("search")),
            fmt_lat(r.endpoints.get("get")),
            fmt_lat(r.endpoints.get("subtree")),
            wrk_cell(r.wrk),
            wrk_cell(r.wrk_observer),
        ])
    rows.append(["targets", f">= {TARGETS['import_rows_per_s_min']}",
                 f"<= {TARGETS['import_peak_mb_max']}", f"p95 <= {TARGETS['list_p95_ms_max']}",
                 f"p95 <= {TARGETS['search_p95_ms_max']}", f"p95 <= {TARGETS['get_p95_ms_max']}",
                 "-", "-", "-"])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"registry benchmark: {args.rows} organizations, {LEVELS} levels, "
             f"{args.requests} requests per endpoint"]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def details(results: list[BackendResult]) -> str:
    out = []
    cpus = os.cpu_count() or 1
    for r in results:
        load = r.server.get("load_average_before_latency")
        if load and load[0] > 0.5 * cpus:
            out.append(f"{r.backend}: note: the machine was busy before the latency runs "
                       f"(load average {load[0]} on {cpus} CPUs); figures may be pessimistic")
        if r.error:
            out.append(f"{r.backend}: ERROR {r.error}")
        for note in r.notes:
            out.append(f"{r.backend}: note: {note}")
        for name, ep in r.endpoints.items():
            for sample in ep.get("failure_samples", []):
                out.append(f"{r.backend}: {name} failed: {sample['status']} {sample['path']} "
                           f"{sample['body'][:160]}")
            if ep.get("failures", 0) > len(ep.get("failure_samples", [])):
                out.append(f"{r.backend}: {name}: ... {ep['failures']} failures in all")
        for who, run in (("admin", r.wrk), ("observer", r.wrk_observer)):
            if run.get("skipped"):
                out.append(f"{r.backend}: wrk ({who}) skipped: {run['skipped']}")
            elif run.get("error"):
                out.append(f"{r.backend}: wrk ({who}) failed: {run['error']}")
            elif run.get("socket_errors"):
                out.append(f"{r.backend}: wrk ({who}) socket errors: {run['socket_errors']}")
    return "\n".join(out)


def write_json(result: BackendResult, args, meta: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"registry-{result.backend}.json"
    doc = {
        **meta,
        "backend": result.backend,
        "error": result.error,
        "notes": result.notes,
        "import": result.imported,
        "server": result.server,
        "latency": result.endpoints,
        "wrk": result.wrk,
        "wrk_observer": result.wrk_observer,
        "targets": TARGETS,
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100000,
                        help="organizations to generate (default 100000, at least 5)")
    parser.add_argument("--requests", type=int, default=1000,
                        help="sequential requests per measured endpoint (default 1000)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server to create the benchmark database on")
    parser.add_argument("--token", default=os.environ.get("AITU_BENCH_TOKEN") or None,
                        help="bearer token for API calls (default: $AITU_BENCH_TOKEN)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--imports", type=int, default=3,
                        help="imports per backend, each into a fresh database; the table "
                             "shows the median rows/s and the largest peak (default 3)")
    parser.add_argument("--no-analyze", dest="analyze", action="store_false",
                        help="PostgreSQL: do not run ANALYZE between import and measurements")
    args = parser.parse_args()
    if args.rows < 5:
        parser.error("--rows must be at least 5 (the tree is five levels deep)")
    if args.imports < 1:
        parser.error("--imports must be at least 1")
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    binary = build_release()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    wrk, wrk_skip = ensure_wrk()
    if not wrk:
        log(f"throughput column skipped: {wrk_skip}")

    workdir = Path(tempfile.mkdtemp(prefix="aitu-bench-"))
    results: list[BackendResult] = []
    try:
        start = time.perf_counter()
        gen = RegistryGenerator(args.rows, args.seed)
        orgs = gen.generate()
        csv_path = workdir / "organizations.csv"
        gen.write_csv(csv_path)
        roots, fan = level_plan(args.rows)
        log(f"generated {len(orgs)} organizations ({roots} roots, fan-out {fan}, "
            f"{csv_path.stat().st_size / 2**20:.1f} MB CSV) in {time.perf_counter() - start:.1f} s")
        meta = {
            "benchmark": "registry",
            "rows": args.rows,
            "levels": LEVELS,
            "roots": roots,
            "fan_out": fan,
            "requests_per_endpoint": args.requests,
            "seed": args.seed,
            "commit": git_commit(),
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version()},
            "load_average_at_start": load_average(),
        }
        for backend in backends:
            result = run_backend(backend, args, binary, workdir, csv_path, orgs, wrk, wrk_skip)
            results.append(result)
            path = write_json(result, args, meta)
            log(f"{backend}: figures written to {path.relative_to(REPO_ROOT)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(table(results, args))
    extra = details(results)
    if extra:
        print()
        print(extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
