#!/usr/bin/env python3
"""Generate demo/organizations.csv: a realistic sample registry of Kazakhstan's
state bodies and quasi-public organizations for the aitu-tracker demo.

Names of real bodies follow their real names (as of 2025-2026) as closely as the
author knows them; BINs, headcounts and every person and contact are fictional
(emails use the reserved .example top-level domain).

Standard library only, fixed seed: running

    python3 demo/generate_registry.py

rewrites demo/organizations.csv byte-identically.
"""

import csv
import os
import random
import re
from collections import Counter

SEED = 20250901
rng = random.Random(SEED)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "organizations.csv")

HEADER = [
    "bin", "kind", "parent_bin", "region", "headcount", "name_kk", "name_ru",
    "name_en", "it_head_name", "it_head_email", "it_head_phone", "head_name",
    "head_email",
]

KINDS = [
    "central_state_body", "departmental_body", "territorial_body",
    "local_executive_body", "quasi_public_organization", "military_unit",
]

# ---------------------------------------------------------------------------
# BIN check digit
# ---------------------------------------------------------------------------

W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def bin_check_digit(first11):
    """Check digit for the first 11 digits, or None if the number can't exist."""
    d = [int(c) for c in first11]
    s = sum(d[i] * (i + 1) for i in range(11)) % 11
    if s == 10:
        s = sum(d[i] * W2[i] for i in range(11)) % 11
        if s == 10:
            return None
    return s


def bin_is_valid(b):
    if not re.fullmatch(r"\d{12}", b):
        return False
    if not 1 <= int(b[2:4]) <= 12:
        return False
    if b[4] not in "456" or b[5] not in "0123":
        return False
    c = bin_check_digit(b[:11])
    return c is not None and c == int(b[11])


assert bin_is_valid("940140000385")
assert bin_is_valid("990140004654")
assert not bin_is_valid("940140000386")

USED_BINS = set()


def make_bin(yymm, branch):
    while True:
        serial = rng.randrange(100, 100000)
        first11 = "%s4%d%05d" % (yymm, 1 if branch else 0, serial)
        c = bin_check_digit(first11)
        if c is None:
            continue
        b = first11 + str(c)
        if b in USED_BINS:
            continue
        USED_BINS.add(b)
        return b


def rand_yymm(y0, y1, m0=1, m1=12):
    y = rng.randint(y0, y1)
    m = rng.randint(m0, m1)
    return "%02d%02d" % (y % 100, m)


# ---------------------------------------------------------------------------
# Language helpers
# ---------------------------------------------------------------------------

KK_BACK = set("аоұыяуё")
KK_FRONT = set("әеөүіиэю")
KK_VOWELS = KK_BACK | KK_FRONT


def kk_gen(phrase):
    """Kazakh genitive of a phrase (only the last word changes)."""
    low = phrase.lower()
    front = False
    for ch in reversed(low):
        if ch in KK_VOWELS:
            front = ch in KK_FRONT
            break
    last = low[-1]
    if last in KK_VOWELS or last in "мнң":
        suf = "нің" if front else "ның"
    elif last in "жзлрйу":
        suf = "дің" if front else "дың"
    else:
        suf = "тің" if front else "тың"
    return phrase + suf


RU_INDECL = {"Семей", "Конаев", "Сатпаев", "Алтай", "Аксу", "Текели", "Кентау",
             "Темиртау", "Кокшетау", "Актау", "Атырау", "Актобе", "Алматы"}
RU_CITY_SPECIAL = {"Рудный": ("Рудного", "Рудному")}


def ru_city_forms(name):
    """(genitive, dative) of a Kazakhstani city name as used in official Russian."""
    if name in RU_CITY_SPECIAL:
        return RU_CITY_SPECIAL[name]
    if name in RU_INDECL or name[-1] in "уоиеыюэ":
        return name, name
    if name.endswith("а"):
        stem = name[:-1]
        g = "и" if stem[-1] in "гкхжшчщ" else "ы"
        return stem + g, stem + "е"
    if name.endswith("ь"):
        return name[:-1] + "и", name[:-1] + "и"
    if name.endswith("й"):
        return name[:-1] + "я", name[:-1] + "ю"
    return name + "а", name + "у"


def ru_rayon_forms(nom):
    """(genitive, dative) of a Russian district name in the nominative."""
    if nom.startswith("район "):
        rest = nom[len("район "):]
        return "района " + rest, "району " + rest
    assert nom.endswith(" район"), nom
    adj = nom[: -len(" район")]
    if adj.endswith(("ий", "ый", "ой")):
        stem = adj[:-2]
        return stem + "ого района", stem + "ому району"
    raise ValueError(nom)


TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l",
    "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}


def translit(s):
    return "".join(TRANSLIT.get(ch, ch) for ch in s.lower())


def slugify(s):
    s = translit(s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------

# code, kk nominative, ru genitive, ru "по ..." form, en, email slug
REGIONS = [
    ("KZ-10", "Абай облысы", "области Абай", "по области Абай", "Abai Region", "abai"),
    ("KZ-11", "Ақмола облысы", "Акмолинской области", "по Акмолинской области", "Akmola Region", "akmola"),
    ("KZ-15", "Ақтөбе облысы", "Актюбинской области", "по Актюбинской области", "Aktobe Region", "aktobe"),
    ("KZ-19", "Алматы облысы", "Алматинской области", "по Алматинской области", "Almaty Region", "almaty-obl"),
    ("KZ-23", "Атырау облысы", "Атырауской области", "по Атырауской области", "Atyrau Region", "atyrau"),
    ("KZ-27", "Батыс Қазақстан облысы", "Западно-Казахстанской области", "по Западно-Казахстанской области", "West Kazakhstan Region", "wko"),
    ("KZ-31", "Жамбыл облысы", "Жамбылской области", "по Жамбылской области", "Jambyl Region", "jambyl"),
    ("KZ-33", "Жетісу облысы", "области Жетісу", "по области Жетісу", "Jetisu Region", "jetisu"),
    ("KZ-35", "Қарағанды облысы", "Карагандинской области", "по Карагандинской области", "Karaganda Region", "karaganda"),
    ("KZ-39", "Қостанай облысы", "Костанайской области", "по Костанайской области", "Kostanay Region", "kostanay"),
    ("KZ-43", "Қызылорда облысы", "Кызылординской области", "по Кызылординской области", "Kyzylorda Region", "kyzylorda"),
    ("KZ-47", "Маңғыстау облысы", "Мангистауской области", "по Мангистауской области", "Mangystau Region", "mangystau"),
    ("KZ-55", "Павлодар облысы", "Павлодарской области", "по Павлодарской области", "Pavlodar Region", "pavlodar"),
    ("KZ-59", "Солтүстік Қазақстан облысы", "Северо-Казахстанской области", "по Северо-Казахстанской области", "North Kazakhstan Region", "sko"),
    ("KZ-61", "Түркістан облысы", "Туркестанской области", "по Туркестанской области", "Turkistan Region", "turkistan"),
    ("KZ-62", "Ұлытау облысы", "области Ұлытау", "по области Ұлытау", "Ulytau Region", "ulytau"),
    ("KZ-63", "Шығыс Қазақстан облысы", "Восточно-Казахстанской области", "по Восточно-Казахстанской области", "East Kazakhstan Region", "vko"),
    ("KZ-71", "Астана қаласы", "города Астаны", "по городу Астане", "Astana", "astana"),
    ("KZ-75", "Алматы қаласы", "города Алматы", "по городу Алматы", "Almaty City", "almaty"),
    ("KZ-79", "Шымкент қаласы", "города Шымкента", "по городу Шымкенту", "Shymkent", "shymkent"),
]
REGION_CODES = [r[0] for r in REGIONS]
REGION = {r[0]: {"code": r[0], "kk": r[1], "kk_gen": kk_gen(r[1]), "ru_gen": r[2],
                 "ru_po": r[3], "en": r[4], "slug": r[5]} for r in REGIONS}
OBLASTS = [c for c in REGION_CODES if c not in ("KZ-71", "KZ-75", "KZ-79")]
NEW_REGIONS = {"KZ-10", "KZ-33", "KZ-62"}  # formed in June 2022

# Cities of regional significance (c), districts (d) and city districts (u):
# (type, kk stem, ru name, en stem)
DISTRICTS = {
    "KZ-10": [
        ("c", "Семей", "Семей", "Semey"), ("c", "Курчатов", "Курчатов", "Kurchatov"),
        ("d", "Абай", "Абайский район", "Abai"), ("d", "Аягөз", "Аягозский район", "Ayagoz"),
        ("d", "Бесқарағай", "Бескарагайский район", "Beskaragai"),
        ("d", "Бородулиха", "Бородулихинский район", "Borodulikha"),
        ("d", "Жарма", "Жарминский район", "Zharma"), ("d", "Көкпекті", "Кокпектинский район", "Kokpekti"),
        ("d", "Үржар", "Урджарский район", "Urzhar"), ("d", "Мақаншы", "Маканчинский район", "Makanshy"),
        ("d", "Ақсуат", "Аксуатский район", "Aksuat"), ("d", "Жаңасемей", "Жанасемейский район", "Zhanasemei"),
    ],
    "KZ-11": [
        ("c", "Көкшетау", "Кокшетау", "Kokshetau"), ("c", "Степногорск", "Степногорск", "Stepnogorsk"),
        ("d", "Ақкөл", "Аккольский район", "Akkol"), ("d", "Аршалы", "Аршалынский район", "Arshaly"),
        ("d", "Астрахан", "Астраханский район", "Astrakhan"), ("d", "Атбасар", "Атбасарский район", "Atbasar"),
        ("d", "Бұланды", "Буландынский район", "Bulandy"), ("d", "Бурабай", "Бурабайский район", "Burabay"),
        ("d", "Егіндікөл", "Егиндыкольский район", "Egindykol"), ("d", "Біржан сал", "район Биржан сал", "Birzhan Sal"),
        ("d", "Ерейментау", "Ерейментауский район", "Ereymentau"), ("d", "Есіл", "Есильский район", "Esil"),
        ("d", "Жақсы", "Жаксынский район", "Zhaksy"), ("d", "Жарқайың", "Жаркаинский район", "Zharkaiyn"),
        ("d", "Зеренді", "Зерендинский район", "Zerendi"), ("d", "Қорғалжын", "Коргалжынский район", "Korgalzhyn"),
        ("d", "Сандықтау", "Сандыктауский район", "Sandyktau"), ("d", "Целиноград", "Целиноградский район", "Tselinograd"),
        ("d", "Шортанды", "Шортандинский район", "Shortandy"),
    ],
    "KZ-15": [
        ("c", "Ақтөбе", "Актобе", "Aktobe"),
        ("d", "Алға", "Алгинский район", "Alga"), ("d", "Әйтеке би", "Айтекебийский район", "Aiteke Bi"),
        ("d", "Байғанин", "Байганинский район", "Baiganin"), ("d", "Қарғалы", "Каргалинский район", "Kargaly"),
        ("d", "Мәртөк", "Мартукский район", "Martuk"), ("d", "Мұғалжар", "Мугалжарский район", "Mugalzhar"),
        ("d", "Ойыл", "Уилский район", "Oiyl"), ("d", "Темір", "Темирский район", "Temir"),
        ("d", "Хромтау", "Хромтауский район", "Khromtau"), ("d", "Шалқар", "Шалкарский район", "Shalkar"),
        ("d", "Ырғыз", "Иргизский район", "Irgiz"),
    ],
    "KZ-19": [
        ("c", "Қонаев", "Конаев", "Konaev"),
        ("d", "Балқаш", "Балхашский район", "Balkhash"), ("d", "Еңбекшіқазақ", "Енбекшиказахский район", "Enbekshikazakh"),
        ("d", "Жамбыл", "Жамбылский район", "Zhambyl"), ("d", "Іле", "Илийский район", "Ili"),
        ("d", "Қарасай", "Карасайский район", "Karasai"), ("d", "Кеген", "Кегенский район", "Kegen"),
        ("d", "Райымбек", "Райымбекский район", "Raiymbek"), ("d", "Талғар", "Талгарский район", "Talgar"),
        ("d", "Ұйғыр", "Уйгурский район", "Uigur"),
    ],
    "KZ-23": [
        ("c", "Атырау", "Атырау", "Atyrau"),
        ("d", "Жылыой", "Жылыойский район", "Zhylyoi"), ("d", "Индер", "Индерский район", "Inder"),
        ("d", "Исатай", "Исатайский район", "Isatai"), ("d", "Қызылқоға", "Кызылкогинский район", "Kyzylkoga"),
        ("d", "Құрманғазы", "Курмангазинский район", "Kurmangazy"), ("d", "Мақат", "Макатский район", "Makat"),
        ("d", "Махамбет", "Махамбетский район", "Makhambet"),
    ],
    "KZ-27": [
        ("c", "Орал", "Уральск", "Oral"),
        ("d", "Ақжайық", "Акжаикский район", "Akzhaik"), ("d", "Бөрлі", "Бурлинский район", "Burli"),
        ("d", "Бәйтерек", "Байтерекский район", "Baiterek"), ("d", "Жаңақала", "Жанакалинский район", "Zhanakala"),
        ("d", "Жәнібек", "Жанибекский район", "Zhanibek"), ("d", "Қазталов", "Казталовский район", "Kaztalov"),
        ("d", "Қаратөбе", "Каратобинский район", "Karatobe"), ("d", "Сырым", "Сырымский район", "Syrym"),
        ("d", "Тасқала", "Таскалинский район", "Taskala"), ("d", "Теректі", "Теректинский район", "Terekti"),
        ("d", "Шыңғырлау", "Чингирлауский район", "Shyngyrlau"), ("d", "Бөкей ордасы", "Бокейординский район", "Bokey Orda"),
    ],
    "KZ-31": [
        ("c", "Тараз", "Тараз", "Taraz"),
        ("d", "Байзақ", "Байзакский район", "Baizak"), ("d", "Жамбыл", "Жамбылский район", "Zhambyl"),
        ("d", "Жуалы", "Жуалынский район", "Zhualy"), ("d", "Қордай", "Кордайский район", "Korday"),
        ("d", "Тұрар Рысқұлов", "район Турара Рыскулова", "Turar Ryskulov"), ("d", "Меркі", "Меркенский район", "Merke"),
        ("d", "Мойынқұм", "Мойынкумский район", "Moiynkum"), ("d", "Сарысу", "Сарысуский район", "Sarysu"),
        ("d", "Талас", "Таласский район", "Talas"), ("d", "Шу", "Шуский район", "Shu"),
    ],
    "KZ-33": [
        ("c", "Талдықорған", "Талдыкорган", "Taldykorgan"), ("c", "Текелі", "Текели", "Tekeli"),
        ("d", "Ақсу", "Аксуский район", "Aksu"), ("d", "Алакөл", "Алакольский район", "Alakol"),
        ("d", "Ескелді", "Ескельдинский район", "Eskeldi"), ("d", "Кербұлақ", "Кербулакский район", "Kerbulak"),
        ("d", "Көксу", "Коксуский район", "Koksu"), ("d", "Панфилов", "Панфиловский район", "Panfilov"),
        ("d", "Сарқан", "Сарканский район", "Sarkand"), ("d", "Қаратал", "Каратальский район", "Karatal"),
    ],
    "KZ-35": [
        ("c", "Қарағанды", "Караганда", "Karaganda"), ("c", "Теміртау", "Темиртау", "Temirtau"),
        ("c", "Балқаш", "Балхаш", "Balkhash"), ("c", "Саран", "Сарань", "Saran"),
        ("c", "Шахтинск", "Шахтинск", "Shakhtinsk"), ("c", "Приозерск", "Приозерск", "Priozersk"),
        ("d", "Абай", "Абайский район", "Abai"), ("d", "Ақтоғай", "Актогайский район", "Aktogay"),
        ("d", "Бұқар жырау", "Бухар-Жырауский район", "Bukhar-Zhyrau"), ("d", "Қарқаралы", "Каркаралинский район", "Karkaraly"),
        ("d", "Нұра", "Нуринский район", "Nura"), ("d", "Осакаров", "Осакаровский район", "Osakarov"),
        ("d", "Шет", "Шетский район", "Shet"),
    ],
    "KZ-39": [
        ("c", "Қостанай", "Костанай", "Kostanay"), ("c", "Рудный", "Рудный", "Rudny"),
        ("c", "Лисаков", "Лисаковск", "Lisakovsk"), ("c", "Арқалық", "Аркалык", "Arkalyk"),
        ("d", "Алтынсарин", "Алтынсаринский район", "Altynsarin"), ("d", "Амангелді", "Амангельдинский район", "Amangeldi"),
        ("d", "Әулиекөл", "Аулиекольский район", "Auliekol"), ("d", "Денисов", "Денисовский район", "Denisov"),
        ("d", "Жангелдин", "Джангельдинский район", "Zhangeldin"), ("d", "Жітіқара", "Житикаринский район", "Zhitikara"),
        ("d", "Қамысты", "Камыстинский район", "Kamysty"), ("d", "Қарабалық", "Карабалыкский район", "Karabalyk"),
        ("d", "Қарасу", "Карасуский район", "Karasu"), ("d", "Қостанай", "Костанайский район", "Kostanay"),
        ("d", "Меңдіқара", "Мендыкаринский район", "Mendykara"), ("d", "Наурызым", "Наурзумский район", "Naurzum"),
        ("d", "Сарыкөл", "Сарыкольский район", "Sarykol"), ("d", "Беимбет Майлин", "район Беимбета Майлина", "Beimbet Mailin"),
        ("d", "Ұзынкөл", "Узункольский район", "Uzunkol"), ("d", "Федоров", "Федоровский район", "Fedorov"),
    ],
    "KZ-43": [
        ("c", "Қызылорда", "Кызылорда", "Kyzylorda"),
        ("d", "Арал", "Аральский район", "Aral"), ("d", "Жалағаш", "Жалагашский район", "Zhalagash"),
        ("d", "Жаңақорған", "Жанакорганский район", "Zhanakorgan"), ("d", "Қазалы", "Казалинский район", "Kazaly"),
        ("d", "Қармақшы", "Кармакшинский район", "Karmakshy"), ("d", "Сырдария", "Сырдарьинский район", "Syrdarya"),
        ("d", "Шиелі", "Шиелийский район", "Shieli"),
    ],
    "KZ-47": [
        ("c", "Ақтау", "Актау", "Aktau"), ("c", "Жаңаөзен", "Жанаозен", "Zhanaozen"),
        ("d", "Бейнеу", "Бейнеуский район", "Beineu"), ("d", "Қарақия", "Каракиянский район", "Karakiya"),
        ("d", "Маңғыстау", "Мангистауский район", "Mangystau"), ("d", "Мұнайлы", "Мунайлинский район", "Munaily"),
        ("d", "Түпқараған", "Тупкараганский район", "Tupkaragan"),
    ],
    "KZ-55": [
        ("c", "Павлодар", "Павлодар", "Pavlodar"), ("c", "Екібастұз", "Экибастуз", "Ekibastuz"),
        ("c", "Ақсу", "Аксу", "Aksu"),
        ("d", "Ақтоғай", "Актогайский район", "Aktogay"), ("d", "Баянауыл", "Баянаульский район", "Bayanaul"),
        ("d", "Железин", "Железинский район", "Zhelezin"), ("d", "Ертіс", "Иртышский район", "Irtysh"),
        ("d", "Тереңкөл", "Теренкольский район", "Terenkol"), ("d", "Аққулы", "Аккулинский район", "Akkuly"),
        ("d", "Май", "Майский район", "May"), ("d", "Павлодар", "Павлодарский район", "Pavlodar"),
        ("d", "Успен", "Успенский район", "Uspen"), ("d", "Шарбақты", "Щербактинский район", "Sharbakty"),
    ],
    "KZ-59": [
        ("c", "Петропавл", "Петропавловск", "Petropavl"),
        ("d", "Айыртау", "Айыртауский район", "Aiyrtau"), ("d", "Ақжар", "Акжарский район", "Akzhar"),
        ("d", "Аққайың", "Аккайынский район", "Akkaiyn"), ("d", "Есіл", "Есильский район", "Esil"),
        ("d", "Жамбыл", "Жамбылский район", "Zhambyl"), ("d", "Мағжан Жұмабаев", "район Магжана Жумабаева", "Magzhan Zhumabaev"),
        ("d", "Қызылжар", "Кызылжарский район", "Kyzylzhar"), ("d", "Мамлют", "Мамлютский район", "Mamlyut"),
        ("d", "Ғабит Мүсірепов атындағы", "район имени Габита Мусрепова", "Gabit Musrepov"),
        ("d", "Тайынша", "Тайыншинский район", "Taiynsha"), ("d", "Тимирязев", "Тимирязевский район", "Timiryazev"),
        ("d", "Уәлиханов", "Уалихановский район", "Ualikhanov"), ("d", "Шал ақын", "район Шал акына", "Shal Akyn"),
    ],
    "KZ-61": [
        ("c", "Түркістан", "Туркестан", "Turkistan"), ("c", "Кентау", "Кентау", "Kentau"),
        ("c", "Арыс", "Арыс", "Arys"),
        ("d", "Бәйдібек", "Байдибекский район", "Baidibek"), ("d", "Қазығұрт", "Казыгуртский район", "Kazygurt"),
        ("d", "Мақтаарал", "Мактааральский район", "Maktaaral"), ("d", "Ордабасы", "Ордабасинский район", "Ordabasy"),
        ("d", "Отырар", "Отрарский район", "Otyrar"), ("d", "Сайрам", "Сайрамский район", "Sairam"),
        ("d", "Сарыағаш", "Сарыагашский район", "Saryagash"), ("d", "Созақ", "Сузакский район", "Sozak"),
        ("d", "Төлеби", "Толебийский район", "Tolebi"), ("d", "Түлкібас", "Тюлькубасский район", "Tulkibas"),
        ("d", "Шардара", "Шардаринский район", "Shardara"), ("d", "Жетісай", "Жетысайский район", "Zhetisai"),
        ("d", "Келес", "Келесский район", "Keles"), ("d", "Сауран", "Сауранский район", "Sauran"),
    ],
    "KZ-62": [
        ("c", "Жезқазған", "Жезказган", "Zhezkazgan"), ("c", "Сәтбаев", "Сатпаев", "Satbayev"),
        ("c", "Қаражал", "Каражал", "Karazhal"),
        ("d", "Ұлытау", "Улытауский район", "Ulytau"), ("d", "Жаңаарқа", "Жанааркинский район", "Zhanaarka"),
    ],
    "KZ-63": [
        ("c", "Өскемен", "Усть-Каменогорск", "Oskemen"), ("c", "Риддер", "Риддер", "Ridder"),
        ("c", "Алтай", "Алтай", "Altai"),
        ("d", "Глубокое", "Глубоковский район", "Glubokoe"), ("d", "Зайсан", "Зайсанский район", "Zaisan"),
        ("d", "Катонқарағай", "Катон-Карагайский район", "Katonkaragai"), ("d", "Күршім", "Курчумский район", "Kurchum"),
        ("d", "Ұлан", "Уланский район", "Ulan"), ("d", "Шемонаиха", "Шемонаихинский район", "Shemonaikha"),
        ("d", "Тарбағатай", "Тарбагатайский район", "Tarbagatai"), ("d", "Самар", "Самарский район", "Samar"),
        ("d", "Марқакөл", "Маркакольский район", "Markakol"),
    ],
    "KZ-71": [
        ("u", "Алматы", "район «Алматы»", "Almaty"), ("u", "Байқоңыр", "район «Байконур»", "Baikonur"),
        ("u", "Есіл", "район «Есиль»", "Esil"), ("u", "Сарыарқа", "район «Сарыарка»", "Saryarka"),
        ("u", "Нұра", "район «Нура»", "Nura"),
    ],
    "KZ-75": [
        ("u", "Алатау", "Алатауский район", "Alatau"), ("u", "Алмалы", "Алмалинский район", "Almaly"),
        ("u", "Әуезов", "Ауэзовский район", "Auezov"), ("u", "Бостандық", "Бостандыкский район", "Bostandyk"),
        ("u", "Жетісу", "Жетысуский район", "Zhetysu"), ("u", "Медеу", "Медеуский район", "Medeu"),
        ("u", "Наурызбай", "Наурызбайский район", "Nauryzbay"), ("u", "Түрксіб", "Турксибский район", "Turksib"),
    ],
    "KZ-79": [
        ("u", "Абай", "Абайский район", "Abai"), ("u", "Әл-Фараби", "Аль-Фарабийский район", "Al-Farabi"),
        ("u", "Еңбекші", "Енбекшинский район", "Enbekshi"), ("u", "Қаратау", "Каратауский район", "Karatau"),
        ("u", "Тұран", "Туранский район", "Turan"),
    ],
}


def district_forms(region_code, entry):
    t, kk, ru, en = entry
    if t == "c":
        kk_full = kk + " қаласы"
        g, d = ru_city_forms(ru)
        ru_gen, ru_dat = "города " + g, "городу " + d
        en_full = en + " City"
    else:
        kk_full = kk + (" аудан" if kk.endswith("атындағы") else " ауданы")
        ru_gen, ru_dat = ru_rayon_forms(ru)
        en_full = en + " District"
    return {"type": t, "kk": kk_full, "kk_gen": kk_gen(kk_full), "ru_gen": ru_gen,
            "ru_dat": ru_dat, "en": en_full, "slug": slugify(en), "region": region_code}


DIST = {code: [district_forms(code, e) for e in lst] for code, lst in DISTRICTS.items()}

# ---------------------------------------------------------------------------
# The organization tree
# ---------------------------------------------------------------------------

ORGS = []


def add(kind, parent, region, kk, ru, en, hc, domain, yymm=None, branch=False):
    """Register one organization. hc is (min, max) or an int."""
    assert kind in KINDS
    assert region in REGION_CODES or region == "republican", region
    if yymm is None:
        yymm = default_yymm(kind, region, parent)
    headcount = hc if isinstance(hc, int) else rng.randint(*hc)
    org = {
        "kind": kind, "parent": parent, "region": region, "headcount": headcount,
        "name_kk": kk, "name_ru": ru, "name_en": en, "domain": domain,
        "bin": make_bin(yymm, branch), "children": [],
    }
    ORGS.append(org)
    if parent is not None:
        parent["children"].append(org)
    return org


def default_yymm(kind, region, parent):
    if region in NEW_REGIONS and kind in ("territorial_body", "local_executive_body"):
        return rand_yymm(22, 23, 6, 12)
    if kind == "departmental_body":
        return rand_yymm(4, 23)
    if kind == "territorial_body":
        return rand_yymm(1, 23)
    if kind == "local_executive_body":
        return rand_yymm(95, 99) if parent is None else rand_yymm(0, 23)
    if kind == "quasi_public_organization":
        return rand_yymm(0, 23)
    if kind == "military_unit":
        return rand_yymm(94, 99)
    return rand_yymm(94, 99)


# --- 1. Central state bodies ------------------------------------------------
# key, kk short name, ru full, ru genitive (for committees), en, domain, yymm, kind of body
# kk full = "Қазақстан Республикасының " + kk short; committees use the genitive.
CENTRAL = [
    ("digital", "Жасанды интеллект және цифрлық даму министрлігі",
     "Министерство искусственного интеллекта и цифрового развития Республики Казахстан",
     "Министерства искусственного интеллекта и цифрового развития Республики Казахстан",
     "Ministry of Artificial Intelligence and Digital Development of the Republic of Kazakhstan",
     "digital.gov.example", "1907", "m"),
    ("finance", "Қаржы министрлігі", "Министерство финансов Республики Казахстан",
     "Министерства финансов Республики Казахстан",
     "Ministry of Finance of the Republic of Kazakhstan", "minfin.gov.example", "9401", "m"),
    ("economy", "Ұлттық экономика министрлігі", "Министерство национальной экономики Республики Казахстан",
     "Министерства национальной экономики Республики Казахстан",
     "Ministry of National Economy of the Republic of Kazakhstan", "economy.gov.example", "1408", "m"),
    ("mfa", "Сыртқы істер министрлігі", "Министерство иностранных дел Республики Казахстан",
     "Министерства иностранных дел Республики Казахстан",
     "Ministry of Foreign Affairs of the Republic of Kazakhstan", "mfa.gov.example", "9402", "m"),
    ("mvd", "Ішкі істер министрлігі", "Министерство внутренних дел Республики Казахстан",
     "Министерства внутренних дел Республики Казахстан",
     "Ministry of Internal Affairs of the Republic of Kazakhstan", "mvd.gov.example", "9403", "m"),
    ("defence", "Қорғаныс министрлігі", "Министерство обороны Республики Казахстан",
     "Министерства обороны Республики Казахстан",
     "Ministry of Defence of the Republic of Kazakhstan", "mod.gov.example", "9405", "m"),
    ("justice", "Әділет министрлігі", "Министерство юстиции Республики Казахстан",
     "Министерства юстиции Республики Казахстан",
     "Ministry of Justice of the Republic of Kazakhstan", "adilet.gov.example", "9404", "m"),
    ("health", "Денсаулық сақтау министрлігі", "Министерство здравоохранения Республики Казахстан",
     "Министерства здравоохранения Республики Казахстан",
     "Ministry of Healthcare of the Republic of Kazakhstan", "health.gov.example", "9407", "m"),
    ("education", "Оқу-ағарту министрлігі", "Министерство просвещения Республики Казахстан",
     "Министерства просвещения Республики Казахстан",
     "Ministry of Enlightenment of the Republic of Kazakhstan", "edu.gov.example", "2207", "m"),
    ("science", "Ғылым және жоғары білім министрлігі",
     "Министерство науки и высшего образования Республики Казахстан",
     "Министерства науки и высшего образования Республики Казахстан",
     "Ministry of Science and Higher Education of the Republic of Kazakhstan", "sci.gov.example", "2207", "m"),
    ("labour", "Еңбек және халықты әлеуметтік қорғау министрлігі",
     "Министерство труда и социальной защиты населения Республики Казахстан",
     "Министерства труда и социальной защиты населения Республики Казахстан",
     "Ministry of Labour and Social Protection of the Population of the Republic of Kazakhstan",
     "enbek.gov.example", "9406", "m"),
    ("energy", "Энергетика министрлігі", "Министерство энергетики Республики Казахстан",
     "Министерства энергетики Республики Казахстан",
     "Ministry of Energy of the Republic of Kazakhstan", "energo.gov.example", "1408", "m"),
    ("industry", "Өнеркәсіп және құрылыс министрлігі",
     "Министерство промышленности и строительства Республики Казахстан",
     "Министерства промышленности и строительства Республики Казахстан",
     "Ministry of Industry and Construction of the Republic of Kazakhstan", "mic.gov.example", "2309", "m"),
    ("agriculture", "Ауыл шаруашылығы министрлігі", "Министерство сельского хозяйства Республики Казахстан",
     "Министерства сельского хозяйства Республики Казахстан",
     "Ministry of Agriculture of the Republic of Kazakhstan", "moa.gov.example", "9408", "m"),
    ("ecology", "Экология және табиғи ресурстар министрлігі",
     "Министерство экологии и природных ресурсов Республики Казахстан",
     "Министерства экологии и природных ресурсов Республики Казахстан",
     "Ministry of Ecology and Natural Resources of the Republic of Kazakhstan", "ecology.gov.example", "1908", "m"),
    ("water", "Су ресурстары және ирригация министрлігі",
     "Министерство водных ресурсов и ирригации Республики Казахстан",
     "Министерства водных ресурсов и ирригации Республики Казахстан",
     "Ministry of Water Resources and Irrigation of the Republic of Kazakhstan", "water.gov.example", "2309", "m"),
    ("transport", "Көлік министрлігі", "Министерство транспорта Республики Казахстан",
     "Министерства транспорта Республики Казахстан",
     "Ministry of Transport of the Republic of Kazakhstan", "transport.gov.example", "2309", "m"),
    ("culture", "Мәдениет және ақпарат министрлігі", "Министерство культуры и информации Республики Казахстан",
     "Министерства культуры и информации Республики Казахстан",
     "Ministry of Culture and Information of the Republic of Kazakhstan", "mki.gov.example", "2309", "m"),
    ("sport", "Туризм және спорт министрлігі", "Министерство туризма и спорта Республики Казахстан",
     "Министерства туризма и спорта Республики Казахстан",
     "Ministry of Tourism and Sports of the Republic of Kazakhstan", "mts.gov.example", "2309", "m"),
    ("emergency", "Төтенше жағдайлар министрлігі", "Министерство по чрезвычайным ситуациям Республики Казахстан",
     "Министерства по чрезвычайным ситуациям Республики Казахстан",
     "Ministry of Emergency Situations of the Republic of Kazakhstan", "emer.gov.example", "2012", "m"),
    ("trade", "Сауда және интеграция министрлігі", "Министерство торговли и интеграции Республики Казахстан",
     "Министерства торговли и интеграции Республики Казахстан",
     "Ministry of Trade and Integration of the Republic of Kazakhstan", "mti.gov.example", "1907", "m"),
    ("aspr", "Стратегиялық жоспарлау және реформалар агенттігі",
     "Агентство по стратегическому планированию и реформам Республики Казахстан",
     "Агентства по стратегическому планированию и реформам Республики Казахстан",
     "Agency for Strategic Planning and Reforms of the Republic of Kazakhstan", "aspr.gov.example", "2010", "a"),
    ("afm", "Қаржылық мониторинг агенттігі", "Агентство Республики Казахстан по финансовому мониторингу",
     "Агентства Республики Казахстан по финансовому мониторингу",
     "Financial Monitoring Agency of the Republic of Kazakhstan", "afm.gov.example", "2107", "a"),
    ("anticor", "Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігі",
     "Агентство Республики Казахстан по противодействию коррупции (Антикоррупционная служба)",
     "Агентства Республики Казахстан по противодействию коррупции",
     "Anti-Corruption Agency of the Republic of Kazakhstan", "anticorruption.gov.example", "1908", "a"),
    ("ardfm", "Қаржы нарығын реттеу және дамыту агенттігі",
     "Агентство Республики Казахстан по регулированию и развитию финансового рынка",
     "Агентства Республики Казахстан по регулированию и развитию финансового рынка",
     "Agency of the Republic of Kazakhstan for Regulation and Development of the Financial Market",
     "finreg.gov.example", "2001", "a"),
    ("competition", "Бәсекелестікті қорғау және дамыту агенттігі",
     "Агентство по защите и развитию конкуренции Республики Казахстан",
     "Агентства по защите и развитию конкуренции Республики Казахстан",
     "Agency for Protection and Development of Competition of the Republic of Kazakhstan",
     "competition.gov.example", "2010", "a"),
    ("civilservice", "Мемлекеттік қызмет істері агенттігі",
     "Агентство Республики Казахстан по делам государственной службы",
     "Агентства Республики Казахстан по делам государственной службы",
     "Civil Service Affairs Agency of the Republic of Kazakhstan", "adgs.gov.example", "9802", "a"),
    ("atom", "Атом энергиясы жөніндегі агенттігі", "Агентство Республики Казахстан по атомной энергии",
     "Агентства Республики Казахстан по атомной энергии",
     "Atomic Energy Agency of the Republic of Kazakhstan", "atom.gov.example", "2312", "a"),
    ("audit", "Жоғары аудиторлық палатасы", "Высшая аудиторская палата Республики Казахстан",
     "Высшей аудиторской палаты Республики Казахстан",
     "Supreme Audit Chamber of the Republic of Kazakhstan", "audit.gov.example", "2207", "a"),
    ("prosecutor", "Бас прокуратурасы", "Генеральная прокуратура Республики Казахстан",
     "Генеральной прокуратуры Республики Казахстан",
     "Prosecutor General's Office of the Republic of Kazakhstan", "prokuror.gov.example", "9502", "a"),
]
KK_FULL_SUFFIX = {"anticor": " (Сыбайлас жемқорлыққа қарсы қызмет)"}

C = {}  # central bodies by key
for key, kk, ru, ru_gen, en, domain, yymm, typ in CENTRAL:
    hc = (150, 600) if typ == "m" else (100, 400)
    org = add("central_state_body", None, "republican",
              "Қазақстан Республикасының " + kk + KK_FULL_SUFFIX.get(key, ""), ru, en, hc, domain, yymm)
    org["kk_short"] = kk
    org["ru_gen"] = ru_gen
    org["en_short"] = en
    C[key] = org

# --- 2. Committees ----------------------------------------------------------
# parent key, committee key, kk, ru, en, email label
COMMITTEES = [
    ("digital", "telecom", "Телекоммуникациялар комитеті", "Комитет телекоммуникаций", "Telecommunications Committee", "telecom"),
    ("digital", "infosec", "Ақпараттық қауіпсіздік комитеті", "Комитет по информационной безопасности", "Information Security Committee", "infosec"),
    ("digital", "aerospace", "Аэроғарыш комитеті", "Аэрокосмический комитет", "Aerospace Committee", "aerospace"),
    ("finance", "kgd", "Мемлекеттік кірістер комитеті", "Комитет государственных доходов", "State Revenue Committee", "kgd"),
    ("finance", "treasury", "Қазынашылық комитеті", "Комитет казначейства", "Treasury Committee", "treasury"),
    ("finance", "kvga", "Ішкі мемлекеттік аудит комитеті", "Комитет внутреннего государственного аудита", "Internal State Audit Committee", "kvga"),
    ("finance", "property", "Мемлекеттік мүлік және жекешелендіру комитеті", "Комитет государственного имущества и приватизации", "State Property and Privatization Committee", "property"),
    ("economy", "krem", "Табиғи монополияларды реттеу комитеті", "Комитет по регулированию естественных монополий", "Committee for Regulation of Natural Monopolies", "krem"),
    ("mfa", "invest", "Инвестициялар комитеті", "Комитет по инвестициям", "Investment Committee", "invest"),
    ("mvd", "natguard", None, None, None, "natguard"),
    ("mvd", "kuis", "Қылмыстық-атқару жүйесі комитеті", "Комитет уголовно-исполнительной системы", "Penal System Committee", "kuis"),
    ("mvd", "migration", "Көші-қон қызметі комитеті", "Комитет миграционной службы", "Migration Service Committee", "migration"),
    ("mvd", "adminpolice", "Әкімшілік полиция комитеті", "Комитет административной полиции", "Administrative Police Committee", "ap"),
    ("justice", "registration", "Тіркеу қызметі және құқықтық көмек көрсету комитеті", "Комитет регистрационной службы и оказания правовой помощи", "Committee of Registration Service and Legal Assistance", "registration"),
    ("justice", "ip", "Зияткерлік меншік құқығы комитеті", "Комитет по правам интеллектуальной собственности", "Intellectual Property Rights Committee", "ip"),
    ("health", "ksek", "Санитариялық-эпидемиологиялық бақылау комитеті", "Комитет санитарно-эпидемиологического контроля", "Sanitary and Epidemiological Control Committee", "ksek"),
    ("health", "kmfk", "Медициналық және фармацевтикалық бақылау комитеті", "Комитет медицинского и фармацевтического контроля", "Medical and Pharmaceutical Control Committee", "kmfk"),
    ("education", "eduquality", "Білім саласындағы сапаны қамтамасыз ету комитеті", "Комитет по обеспечению качества в сфере образования", "Committee for Quality Assurance in Education", "quality"),
    ("education", "children", "Балалардың құқықтарын қорғау комитеті", "Комитет по охране прав детей", "Committee for the Protection of Children's Rights", "children"),
    ("science", "scicom", "Ғылым комитеті", "Комитет науки", "Science Committee", "science"),
    ("science", "hequality", "Ғылым және жоғары білім саласындағы сапаны қамтамасыз ету комитеті", "Комитет по обеспечению качества в сфере науки и высшего образования", "Committee for Quality Assurance in Science and Higher Education", "quality"),
    ("labour", "socialcontrol", "Халықты әлеуметтік қорғау саласындағы реттеу және бақылау комитеті", "Комитет регулирования и контроля в сфере социальной защиты населения", "Committee for Regulation and Control in Social Protection", "control"),
    ("labour", "labmigration", "Көші-қон комитеті", "Комитет по миграции", "Migration Committee", "migration"),
    ("energy", "energycontrol", "Атомдық және энергетикалық қадағалау және бақылау комитеті", "Комитет атомного и энергетического надзора и контроля", "Committee for Atomic and Energy Supervision and Control", "kaenk"),
    ("industry", "construction", "Құрылыс және тұрғын үй-коммуналдық шаруашылық істері комитеті", "Комитет по делам строительства и жилищно-коммунального хозяйства", "Committee for Construction, Housing and Utilities", "construction"),
    ("industry", "geology", "Геология комитеті", "Комитет геологии", "Geology Committee", "geology"),
    ("industry", "indev", "Индустриялық даму комитеті", "Комитет индустриального развития", "Industrial Development Committee", "industry"),
    ("agriculture", "vet", "Ветеринариялық бақылау және қадағалау комитеті", "Комитет ветеринарного контроля и надзора", "Veterinary Control and Supervision Committee", "vet"),
    ("agriculture", "agroinsp", "Агроөнеркәсіптік кешендегі мемлекеттік инспекция комитеті", "Комитет государственной инспекции в агропромышленном комплексе", "State Inspection Committee in the Agro-Industrial Complex", "agroinsp"),
    ("agriculture", "land", "Жер ресурстарын басқару комитеті", "Комитет по управлению земельными ресурсами", "Land Resources Management Committee", "land"),
    ("ecology", "ecocontrol", "Экологиялық реттеу және бақылау комитеті", "Комитет экологического регулирования и контроля", "Environmental Regulation and Control Committee", "eco"),
    ("ecology", "forest", "Орман шаруашылығы және жануарлар дүниесі комитеті", "Комитет лесного хозяйства и животного мира", "Forestry and Wildlife Committee", "forest"),
    ("ecology", "fish", "Балық шаруашылығы комитеті", "Комитет рыбного хозяйства", "Fisheries Committee", "fish"),
    ("water", "watereco", "Су шаруашылығы комитеті", "Комитет водного хозяйства", "Water Management Committee", "vodkhoz"),
    ("water", "waterreg", "Су ресурстарын реттеу, қорғау және пайдалану комитеті", "Комитет по регулированию, охране и использованию водных ресурсов", "Committee for Regulation, Protection and Use of Water Resources", "waterreg"),
    ("transport", "transcom", "Көлік комитеті", "Комитет транспорта", "Transport Committee", "kt"),
    ("transport", "aviation", "Азаматтық авиация комитеті", "Комитет гражданской авиации", "Civil Aviation Committee", "aviation"),
    ("transport", "roads", "Автомобиль жолдары комитеті", "Комитет автомобильных дорог", "Roads Committee", "roads"),
    ("culture", "culturecom", "Мәдениет комитеті", "Комитет культуры", "Culture Committee", "culture"),
    ("culture", "info", "Ақпарат комитеті", "Комитет информации", "Information Committee", "info"),
    ("culture", "language", "Тіл саясаты комитеті", "Комитет языковой политики", "Language Policy Committee", "til"),
    ("culture", "religion", "Дін істері комитеті", "Комитет по делам религий", "Religious Affairs Committee", "din"),
    ("culture", "civil", "Азаматтық қоғам істері комитеті", "Комитет по делам гражданского общества", "Civil Society Affairs Committee", "civil"),
    ("culture", "archives", "Архив, құжаттама және кітап ісі комитеті", "Комитет архивов, документации и книжного дела", "Committee of Archives, Documentation and Book Publishing", "archives"),
    ("culture", "youth", "Жастар және отбасы істері комитеті", "Комитет по делам молодежи и семьи", "Youth and Family Affairs Committee", "youth"),
    ("sport", "sportcom", "Спорт және дене шынықтыру істері комитеті", "Комитет по делам спорта и физической культуры", "Committee for Sports and Physical Culture", "sport"),
    ("sport", "tourism", "Туризм индустриясы комитеті", "Комитет индустрии туризма", "Tourism Industry Committee", "tourism"),
    ("emergency", "fire", "Өрт сөндіру қызметі комитеті", "Комитет противопожарной службы", "Fire Service Committee", "fire"),
    ("emergency", "indsafety", "Өнеркәсіптік қауіпсіздік комитеті", "Комитет промышленной безопасности", "Industrial Safety Committee", "kpb"),
    ("emergency", "reserve", "Мемлекеттік материалдық резервтер комитеті", "Комитет государственных материальных резервов", "State Material Reserves Committee", "reserve"),
    ("trade", "tradecom", "Сауда комитеті", "Комитет торговли", "Trade Committee", "trade"),
    ("trade", "metrology", "Техникалық реттеу және метрология комитеті", "Комитет технического регулирования и метрологии", "Committee for Technical Regulation and Metrology", "ktrm"),
    ("trade", "consumer", "Тұтынушылардың құқықтарын қорғау комитеті", "Комитет по защите прав потребителей", "Consumer Rights Protection Committee", "consumer"),
    ("aspr", "stat", "Ұлттық статистика бюросы", "Бюро национальной статистики", "Bureau of National Statistics", "stat"),
    ("prosecutor", "legalstat", "Құқықтық статистика және арнайы есепке алу жөніндегі комитеті", "Комитет по правовой статистике и специальным учетам", "Committee on Legal Statistics and Special Records", "pravstat"),
]

K = {}  # committees by key
for pkey, key, kk, ru, en, label in COMMITTEES:
    p = C[pkey]
    domain = label + "." + p["domain"]
    if key == "natguard":
        kk_full = "Қазақстан Республикасы Ұлттық ұланының Бас қолбасшылығы"
        ru_full = "Главное командование Национальной гвардии Республики Казахстан"
        en_full = "Main Command of the National Guard of the Republic of Kazakhstan"
    else:
        kk_full = "Қазақстан Республикасы " + kk_gen(p["kk_short"]) + " " + kk
        ru_full = ru + " " + p["ru_gen"]
        en_full = en + " of the " + p["en_short"]
    K[key] = add("departmental_body", p, "republican", kk_full, ru_full, en_full, (50, 250), domain)

# --- 3. Territorial networks ------------------------------------------------
# parent (committee or central key), kk, ru, en templates, headcount range, regions
ALL20 = REGION_CODES
NETWORKS = [
    ("K:kgd", "{kk} бойынша Мемлекеттік кірістер департаменті", "Департамент государственных доходов {ru_po}",
     "State Revenue Department for {en}", (60, 120), ALL20),
    ("K:treasury", "{kk} бойынша Қазынашылық департаменті", "Департамент казначейства {ru_po}",
     "Treasury Department for {en}", (30, 80), ALL20),
    ("K:kvga", "{kk} бойынша Ішкі мемлекеттік аудит департаменті", "Департамент внутреннего государственного аудита {ru_po}",
     "Internal State Audit Department for {en}", (20, 60), ALL20),
    ("K:krem", "Табиғи монополияларды реттеу комитетінің {kk} бойынша департаменті",
     "Департамент Комитета по регулированию естественных монополий {ru_po}",
     "Department of the Committee for Regulation of Natural Monopolies for {en}", (15, 40), ALL20),
    ("C:mvd", "{kk_gen} Полиция департаменті", "Департамент полиции {ru_gen}",
     "Police Department of {en}", (80, 120), ALL20),
    ("K:kuis", "{kk} бойынша Қылмыстық-атқару жүйесі департаменті",
     "Департамент уголовно-исполнительной системы {ru_po}",
     "Penal System Department for {en}", (30, 100), ALL20),
    ("C:justice", "{kk_gen} Әділет департаменті", "Департамент юстиции {ru_gen}",
     "Justice Department of {en}", (30, 90), ALL20),
    ("K:ksek", "{kk_gen} Санитариялық-эпидемиологиялық бақылау департаменті",
     "Департамент санитарно-эпидемиологического контроля {ru_gen}",
     "Sanitary and Epidemiological Control Department of {en}", (40, 110), ALL20),
    ("K:kmfk", "{kk} бойынша Медициналық және фармацевтикалық бақылау департаменті",
     "Департамент медицинского и фармацевтического контроля {ru_po}",
     "Medical and Pharmaceutical Control Department for {en}", (20, 50), ALL20),
    ("K:eduquality", "{kk} бойынша Білім саласындағы сапаны қамтамасыз ету департаменті",
     "Департамент по обеспечению качества в сфере образования {ru_gen}",
     "Department for Quality Assurance in Education of {en}", (20, 50), ALL20),
    ("K:socialcontrol", "Халықты әлеуметтік қорғау саласындағы реттеу және бақылау комитетінің {kk} бойынша департаменті",
     "Департамент Комитета регулирования и контроля в сфере социальной защиты населения {ru_po}",
     "Department of the Committee for Regulation and Control in Social Protection for {en}", (20, 60), ALL20),
    ("K:energycontrol", "Атомдық және энергетикалық қадағалау және бақылау комитетінің {kk} бойынша департаменті",
     "Департамент Комитета атомного и энергетического надзора и контроля {ru_po}",
     "Department of the Committee for Atomic and Energy Supervision and Control for {en}", (15, 35), ALL20),
    ("K:indsafety", "{kk} бойынша Өнеркәсіптік қауіпсіздік департаменті", "Департамент промышленной безопасности {ru_gen}",
     "Industrial Safety Department of {en}", (15, 45), ALL20),
    ("C:emergency", "{kk_gen} Төтенше жағдайлар департаменті", "Департамент по чрезвычайным ситуациям {ru_gen}",
     "Emergency Situations Department of {en}", (60, 120), ALL20),
    ("K:vet", "Ветеринариялық бақылау және қадағалау комитетінің {kk} бойынша аумақтық инспекциясы",
     "Территориальная инспекция Комитета ветеринарного контроля и надзора {ru_po}",
     "Territorial Inspectorate of the Veterinary Control and Supervision Committee for {en}", (20, 60), ALL20),
    ("K:agroinsp", "Агроөнеркәсіптік кешендегі мемлекеттік инспекция комитетінің {kk} бойынша аумақтық инспекциясы",
     "Территориальная инспекция Комитета государственной инспекции в агропромышленном комплексе {ru_po}",
     "Territorial Inspectorate of the State Inspection Committee in the Agro-Industrial Complex for {en}", (15, 50), ALL20),
    ("K:ecocontrol", "{kk} бойынша Экология департаменті", "Департамент экологии {ru_po}",
     "Ecology Department for {en}", (20, 60), ALL20),
    ("K:forest", "{kk} бойынша Орман шаруашылығы және жануарлар дүниесі аумақтық инспекциясы",
     "Территориальная инспекция лесного хозяйства и животного мира {ru_po}",
     "Territorial Inspectorate of Forestry and Wildlife for {en}", (15, 40), OBLASTS),
    ("K:transcom", "{kk} бойынша Көліктік бақылау инспекциясы", "Инспекция транспортного контроля {ru_po}",
     "Transport Control Inspectorate for {en}", (15, 45), ALL20),
    ("K:metrology", "Техникалық реттеу және метрология комитетінің {kk} бойынша департаменті",
     "Департамент технического регулирования и метрологии {ru_po}",
     "Department of Technical Regulation and Metrology for {en}", (15, 35), ALL20),
    ("K:consumer", "Тұтынушылардың құқықтарын қорғау комитетінің {kk} бойынша департаменті",
     "Департамент Комитета по защите прав потребителей {ru_po}",
     "Consumer Rights Protection Department for {en}", (15, 45), ALL20),
    ("K:stat", "Ұлттық статистика бюросының {kk} бойынша департаменті",
     "Департамент Бюро национальной статистики {ru_po}",
     "Department of the Bureau of National Statistics for {en}", (30, 80), ALL20),
    ("C:afm", "Қаржылық мониторинг агенттігінің {kk} бойынша Экономикалық тергеп-тексеру департаменті",
     "Департамент экономических расследований {ru_po}",
     "Economic Investigations Department for {en}", (30, 100), ALL20),
    ("C:anticor", "Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігінің {kk} бойынша департаменті",
     "Департамент Агентства по противодействию коррупции {ru_po}",
     "Department of the Anti-Corruption Agency for {en}", (30, 100), ALL20),
    ("C:competition", "Бәсекелестікті қорғау және дамыту агенттігінің {kk} бойынша департаменті",
     "Департамент Агентства по защите и развитию конкуренции {ru_po}",
     "Department of the Agency for Protection and Development of Competition for {en}", (15, 35), ALL20),
    ("C:civilservice", "Мемлекеттік қызмет істері агенттігінің {kk} бойынша департаменті",
     "Департамент Агентства по делам государственной службы {ru_po}",
     "Department of the Civil Service Affairs Agency for {en}", (15, 35), ALL20),
    ("C:prosecutor", "{kk_gen} прокуратурасы", "Прокуратура {ru_gen}",
     "Prosecutor's Office of {en}", (60, 120), ALL20),
    ("K:legalstat", "Құқықтық статистика және арнайы есепке алу жөніндегі комитеттің {kk} бойынша басқармасы",
     "Управление Комитета по правовой статистике и специальным учетам {ru_po}",
     "Office of the Committee on Legal Statistics and Special Records for {en}", (15, 40), ALL20),
]

# District/city-level offices below some regional departments:
# network parent, regions, kk, ru, en templates over district forms
SUBOFFICES = {
    "K:kgd": (["KZ-35", "KZ-11", "KZ-75", "KZ-61", "KZ-63"],
              "{kk} бойынша мемлекеттік кірістер басқармасы", "Управление государственных доходов по {ru_dat}",
              "State Revenue Office for {en}", (15, 45)),
    "C:mvd": (["KZ-35", "KZ-19", "KZ-55"],
              "{kk_gen} полиция {unit_kk}", "{unit_ru} полиции {ru_gen}",
              "Police Office of {en}", (30, 90)),
    "C:emergency": (["KZ-39", "KZ-31"],
                    "{kk_gen} төтенше жағдайлар {unit_kk}", "{unit_ru} по чрезвычайным ситуациям {ru_gen}",
                    "Emergency Situations Office of {en}", (15, 40)),
    "K:ksek": (["KZ-35", "KZ-43"],
               "{kk_gen} санитариялық-эпидемиологиялық бақылау басқармасы",
               "Управление санитарно-эпидемиологического контроля {ru_gen}",
               "Sanitary and Epidemiological Control Office of {en}", (15, 35)),
    "K:treasury": (["KZ-55", "KZ-15"],
                   "{kk} бойынша қазынашылық басқармасы", "Управление казначейства по {ru_dat}",
                   "Treasury Office for {en}", (15, 30)),
}


def network_parent(ref):
    kind, key = ref.split(":")
    return K[key] if kind == "K" else C[key]


for ref, kk_t, ru_t, en_t, hc, regions in NETWORKS:
    parent = network_parent(ref)
    for code in regions:
        r = REGION[code]
        fmt = dict(kk=r["kk"], kk_gen=r["kk_gen"], ru_gen=r["ru_gen"], ru_po=r["ru_po"], en=r["en"])
        dept = add("territorial_body", parent, code, kk_t.format(**fmt), ru_t.format(**fmt),
                   en_t.format(**fmt), hc, r["slug"] + "." + parent["domain"], branch=True)
        if ref in SUBOFFICES and code in SUBOFFICES[ref][0]:
            _, s_kk, s_ru, s_en, s_hc = SUBOFFICES[ref]
            for d in DIST[code]:
                big = d["type"] in ("c", "u")
                f = dict(kk=d["kk"], kk_gen=d["kk_gen"], ru_gen=d["ru_gen"], ru_dat=d["ru_dat"],
                         en=d["en"], unit_kk="басқармасы" if big else "бөлімі",
                         unit_ru="Управление" if big else "Отдел")
                add("territorial_body", dept, code, s_kk.format(**f), s_ru.format(**f),
                    s_en.format(**f), s_hc, dept["domain"], branch=True)

# Basin inspections of the water regulation committee
BASINS = [
    ("Арал-Сырдария", "Арало-Сырдарьинская", "Aral-Syrdarya", "KZ-43"),
    ("Балқаш-Алакөл", "Балкаш-Алакольская", "Balkhash-Alakol", "KZ-75"),
    ("Ертіс", "Ертисская", "Yertis", "KZ-63"),
    ("Есіл", "Есильская", "Yesil", "KZ-71"),
    ("Жайық-Каспий", "Жайык-Каспийская", "Zhaiyk-Caspian", "KZ-23"),
    ("Нұра-Сарысу", "Нура-Сарысуская", "Nura-Sarysu", "KZ-35"),
    ("Тобыл-Торғай", "Тобол-Торгайская", "Tobyl-Torgai", "KZ-39"),
    ("Шу-Талас", "Шу-Таласская", "Shu-Talas", "KZ-31"),
]
for kk, ru, en, code in BASINS:
    add("territorial_body", K["waterreg"], code,
        "Су ресурстарын пайдалануды реттеу және қорғау жөніндегі " + kk + " бассейндік инспекциясы",
        ru + " бассейновая инспекция по регулированию использования и охране водных ресурсов",
        en + " Basin Inspectorate for Regulation and Protection of Water Resources",
        (15, 40), slugify(en) + "." + K["waterreg"]["domain"], branch=True)

# Interregional geology departments
for name, en, code in [("Центрказнедра", "Tsentrkaznedra", "KZ-35"), ("Востказнедра", "Vostkaznedra", "KZ-63"),
                       ("Запказнедра", "Zapkaznedra", "KZ-15"), ("Севказнедра", "Sevkaznedra", "KZ-11"),
                       ("Южказнедра", "Yuzhkaznedra", "KZ-75")]:
    add("territorial_body", K["geology"], code,
        "«" + name + "» өңіраралық геология департаменті",
        "Межрегиональный департамент геологии «" + name + "»",
        "Interregional Geology Department " + en, (15, 40),
        en.lower() + "." + K["geology"]["domain"], branch=True)

# --- 4. Local executive bodies ------------------------------------------------
REGIONAL_DEPTS = [
    # kk suffix, ru prefix, en prefix, email label
    ("білім басқармасы", "Управление образования", "Education Department", True),
    ("денсаулық сақтау басқармасы", "Управление здравоохранения", "Health Department", True),
    ("қаржы басқармасы", "Управление финансов", "Finance Department", True),
    ("цифрландыру басқармасы", "Управление цифровизации", "Digitalization Department", True),
    ("экономика және бюджеттік жоспарлау басқармасы", "Управление экономики и бюджетного планирования",
     "Economy and Budget Planning Department", False),
    ("ауыл шаруашылығы және жер қатынастары басқармасы", "Управление сельского хозяйства и земельных отношений",
     "Agriculture and Land Relations Department", False),
    ("жұмыспен қамту және әлеуметтік бағдарламалар басқармасы", "Управление занятости и социальных программ",
     "Employment and Social Programs Department", False),
    ("ішкі саясат басқармасы", "Управление внутренней политики", "Internal Policy Department", False),
    ("мәдениет, архивтер және құжаттама басқармасы", "Управление культуры, архивов и документации",
     "Culture, Archives and Documentation Department", False),
    ("дене шынықтыру және спорт басқармасы", "Управление физической культуры и спорта",
     "Physical Culture and Sports Department", False),
    ("жолаушылар көлігі және автомобиль жолдары басқармасы", "Управление пассажирского транспорта и автомобильных дорог",
     "Passenger Transport and Roads Department", False),
    ("энергетика және тұрғын үй-коммуналдық шаруашылық басқармасы",
     "Управление энергетики и жилищно-коммунального хозяйства", "Energy, Housing and Utilities Department", False),
    ("құрылыс басқармасы", "Управление строительства", "Construction Department", False),
    ("кәсіпкерлік және индустриялық-инновациялық даму басқармасы",
     "Управление предпринимательства и индустриально-инновационного развития",
     "Entrepreneurship and Industrial-Innovative Development Department", False),
    ("табиғи ресурстар және табиғат пайдалануды реттеу басқармасы",
     "Управление природных ресурсов и регулирования природопользования",
     "Natural Resources and Environmental Management Department", False),
]

DISTRICT_DEPTS = [
    ("білім бөлімі", "Отдел образования", "Education Division"),
    ("экономика және қаржы бөлімі", "Отдел экономики и финансов", "Economy and Finance Division"),
    ("жер қатынастары бөлімі", "Отдел земельных отношений", "Land Relations Division"),
    ("жұмыспен қамту және әлеуметтік бағдарламалар бөлімі", "Отдел занятости и социальных программ",
     "Employment and Social Programs Division"),
    ("тұрғын үй-коммуналдық шаруашылығы, жолаушылар көлігі және автомобиль жолдары бөлімі",
     "Отдел жилищно-коммунального хозяйства, пассажирского транспорта и автомобильных дорог",
     "Housing, Utilities, Passenger Transport and Roads Division"),
    ("ішкі саясат бөлімі", "Отдел внутренней политики", "Internal Policy Division"),
    ("ауыл шаруашылығы және кәсіпкерлік бөлімі", "Отдел сельского хозяйства и предпринимательства",
     "Agriculture and Entrepreneurship Division"),
    ("құрылыс, сәулет және қала құрылысы бөлімі", "Отдел строительства, архитектуры и градостроительства",
     "Construction, Architecture and Urban Planning Division"),
    ("мәдениет және тілдерді дамыту бөлімі", "Отдел культуры и развития языков", "Culture and Language Development Division"),
]

AKIMATS = {}
for code in REGION_CODES:
    r = REGION[code]
    domain = r["slug"] + ".gov.example"
    akimat = add("local_executive_body", None, code, r["kk_gen"] + " әкімдігі", "Акимат " + r["ru_gen"],
                 "Akimat of " + r["en"], (150, 400), domain,
                 yymm=rand_yymm(22, 22, 6, 8) if code in NEW_REGIONS else None)
    AKIMATS[code] = akimat
    must = [d for d in REGIONAL_DEPTS if d[3]]
    extra = [d for d in REGIONAL_DEPTS if not d[3]]
    chosen = must + rng.sample(extra, rng.randint(2, 5))
    for kk, ru, en, _ in sorted(chosen, key=REGIONAL_DEPTS.index):
        add("local_executive_body", akimat, code, r["kk_gen"] + " " + kk, ru + " " + r["ru_gen"],
            en + " of " + r["en"], (30, 120), domain)
    district_orgs = []
    for d in DIST[code]:
        d_domain = d["slug"] + "." + domain
        if d["type"] == "u":
            org = add("local_executive_body", akimat, code,
                      r["kk"] + " " + d["kk"] + " әкімінің аппараты",
                      "Аппарат акима " + d["ru_gen"] + " " + r["ru_gen"],
                      "Office of the Akim of " + d["en"] + ", " + r["en"], (30, 90), d_domain)
        else:
            org = add("local_executive_body", akimat, code, d["kk_gen"] + " әкімдігі", "Акимат " + d["ru_gen"],
                      "Akimat of " + d["en"], (50, 90) if d["type"] == "c" else (20, 70), d_domain)
        district_orgs.append((d, org))
    # departments (and a few schools) under some district and city akimats
    candidates = [x for x in district_orgs if x[0]["type"] != "u"]
    for d, org in rng.sample(candidates, min(len(candidates), 4)):
        add("local_executive_body", org, code, d["kk"] + " әкімінің аппараты", "Аппарат акима " + d["ru_gen"],
            "Office of the Akim of " + d["en"], (20, 60), org["domain"])
        for kk, ru, en in [DISTRICT_DEPTS[0]] + rng.sample(DISTRICT_DEPTS[1:], rng.randint(2, 4)):
            dept = add("local_executive_body", org, code, d["kk_gen"] + " " + kk, ru + " " + d["ru_gen"],
                       "" if rng.random() < 0.5 else en + " of " + d["en"], (6, 30), org["domain"])
            if kk == "білім бөлімі" and rng.random() < 0.6:
                for num in sorted(rng.sample(range(1, 40), rng.randint(1, 3))):
                    add("local_executive_body", dept, code,
                        d["kk"] + " білім бөлімінің «№ %d жалпы білім беретін мектебі» КММ" % num,
                        "КГУ «Общеобразовательная школа № %d» отдела образования %s" % (num, d["ru_gen"]),
                        "", (35, 110), org["domain"])

# --- 5. Quasi-public sector ---------------------------------------------------
Q = {}


def quasi(key, parent, region, kk, ru, en, hc, slug=None, yymm=None, branch=False):
    if isinstance(parent, str):
        parent = Q.get(parent) or C.get(parent) or K.get(parent)
    if slug is None:
        domain = parent["domain"]
    else:
        domain = slug + ".kz.example"
    org = add("quasi_public_organization", parent, region, kk, ru, en, hc, domain, yymm, branch)
    if key:
        Q[key] = org
    return org


def regional_branches(parent_key, codes, kk_t, ru_t, en_t, hc):
    for code in codes:
        r = REGION[code]
        f = dict(kk=r["kk"], ru_po=r["ru_po"], ru_gen=r["ru_gen"], en=r["en"])
        quasi(None, parent_key, code, kk_t.format(**f), ru_t.format(**f), en_t.format(**f), hc, branch=True)


NC = (300, 5000)   # national companies
SUB = (50, 2000)   # subsidiaries
BR = (30, 500)     # branches

quasi("samruk", None, "KZ-71", "«Самұрық-Қазына» ұлттық әл-ауқат қоры» АҚ",
      "АО «Фонд национального благосостояния «Самрук-Казына»",
      "Samruk-Kazyna Sovereign Wealth Fund JSC", (300, 600), "sk", "0811")

quasi("kmg", "samruk", "KZ-71", "«ҚазМұнайГаз» ұлттық компаниясы» АҚ",
      "АО «Национальная компания «КазМунайГаз»", "KazMunayGas National Company JSC", NC, "kmg", "0203")
quasi("kto", "kmg", "KZ-71", "«ҚазТрансОйл» АҚ", "АО «КазТрансОйл»", "KazTransOil JSC", SUB, "kaztransoil")
quasi(None, "kto", "KZ-75", "«Қазақстан-Қытай Құбыры» ЖШС", "ТОО «Казахстанско-Китайский Трубопровод»",
      "Kazakhstan-China Pipeline LLP", (50, 400), "kcp")
quasi(None, "kto", "KZ-15", "«МұнайТас» ЖШС", "ТОО «МунайТас»", "MunaiTas LLP", (50, 200), "munaitas")
quasi(None, "kmg", "KZ-47", "«Өзенмұнайгаз» АҚ", "АО «Озенмунайгаз»", "Ozenmunaigas JSC", SUB, "omg")
quasi(None, "kmg", "KZ-23", "«Ембімұнайгаз» АҚ", "АО «Эмбамунайгаз»", "Embamunaigas JSC", SUB, "emg")
quasi(None, "kmg", "KZ-23", "«Атырау мұнай өңдеу зауыты» ЖШС", "ТОО «Атырауский нефтеперерабатывающий завод»",
      "Atyrau Refinery LLP", SUB, "anpz")
quasi(None, "kmg", "KZ-55", "«Павлодар мұнай-химия зауыты» ЖШС", "ТОО «Павлодарский нефтехимический завод»",
      "Pavlodar Petrochemical Plant LLP", SUB, "pnhz")
quasi(None, "kmg", "KZ-71", "«ҚМГ Инжиниринг» ЖШС", "ТОО «КМГ Инжиниринг»", "KMG Engineering LLP", (50, 800),
      "kmge")

quasi("ktz", "samruk", "KZ-71", "«Қазақстан темір жолы» ұлттық компаниясы» АҚ",
      "АО «Национальная компания «Қазақстан темір жолы»", "Kazakhstan Temir Zholy National Company JSC", NC,
      "railways", "9703")
quasi(None, "ktz", "KZ-71", "«Жолаушылар тасымалы» АҚ", "АО «Пассажирские перевозки»",
      "Passenger Transportation JSC", SUB, "pass")
quasi(None, "ktz", "KZ-71", "«ҚТЖ – Жүк тасымалы» АҚ", "АО «КТЖ – Грузовые перевозки»",
      "KTZ Freight Transportation JSC", SUB, "cargo")
quasi(None, "ktz", "KZ-47", "«Ақтау халықаралық теңіз сауда порты» ұлттық компаниясы» АҚ",
      "АО «Национальная компания «Актауский международный морской торговый порт»",
      "Aktau International Sea Commercial Port National Company JSC", SUB, "portaktau")
quasi(None, "ktz", "KZ-71", "«KTZ Express» АҚ", "АО «KTZ Express»", "KTZ Express JSC", (50, 600), "ktze")
quasi(None, "ktz", "KZ-71", "«Транстелеком» АҚ", "АО «Транстелеком»", "Transtelecom JSC", SUB, "ttc")
quasi(None, "ktz", "KZ-71", "«Локомотив құрастыру зауыты» АҚ", "АО «Локомотив курастыру зауыты»",
      "Lokomotiv Kurastyru Zauyty JSC", (50, 600), "lkz")
for kk, ru, en, code in [("Қарағанды", "Карагандинское", "Karaganda", "KZ-35"),
                         ("Павлодар", "Павлодарское", "Pavlodar", "KZ-55"),
                         ("Қостанай", "Костанайское", "Kostanay", "KZ-39"),
                         ("Шымкент", "Шымкентское", "Shymkent", "KZ-79"),
                         ("Алматы", "Алматинское", "Almaty", "KZ-75"),
                         ("Ақтөбе", "Актюбинское", "Aktobe", "KZ-15"),
                         ("Атырау", "Атырауское", "Atyrau", "KZ-23"),
                         ("Қызылорда", "Кызылординское", "Kyzylorda", "KZ-43"),
                         ("Жамбыл", "Жамбылское", "Zhambyl", "KZ-31"),
                         ("Астана", "Астанинское", "Astana", "KZ-71")]:
    quasi(None, "ktz", code, "«ҚТЖ» ҰК» АҚ филиалы – " + kk + " магистральдық желі бөлімшесі",
          ru + " отделение магистральной сети – филиал АО «НК «ҚТЖ»",
          en + " Main Line Division, branch of KTZ", BR, branch=True)

quasi("kegoc", "samruk", "KZ-71", "«KEGOC» АҚ",
      "АО «Казахстанская компания по управлению электрическими сетями» (KEGOC)", "KEGOC JSC", NC, "kegoc", "9707")
quasi(None, "kegoc", "KZ-71", "«Энергоинформ» АҚ", "АО «Энергоинформ»", "Energoinform JSC", (50, 300), "energoinform")
quasi(None, "kegoc", "KZ-71", "«Жаңартылатын энергия көздерін қолдау жөніндегі есеп айырысу-қаржы орталығы» ЖШС",
      "ТОО «Расчетно-финансовый центр по поддержке возобновляемых источников энергии»",
      "Settlement and Financial Center for Renewable Energy Support LLP", (50, 120), "rfc")
for kk, ru, en, code in [("Ақмола", "Акмолинские", "Akmola", "KZ-71"), ("Алматы", "Алматинские", "Almaty", "KZ-75"),
                         ("Шығыс", "Восточные", "Eastern", "KZ-63"), ("Батыс", "Западные", "Western", "KZ-27"),
                         ("Қарағанды", "Карагандинские", "Karaganda", "KZ-35"), ("Оңтүстік", "Южные", "Southern", "KZ-79"),
                         ("Ақтөбе", "Актюбинские", "Aktobe", "KZ-15")]:
    quasi(None, "kegoc", code, "«KEGOC» АҚ филиалы – «" + kk + " жүйеаралық электр желілері»",
          "Филиал АО «KEGOC» «" + ru + " межсистемные электрические сети»",
          en + " Interregional Electric Networks, branch of KEGOC", BR, branch=True)

quasi("kap", "samruk", "KZ-71", "«Қазатомөнеркәсіп» ұлттық атом компаниясы» АҚ",
      "АО «Национальная атомная компания «Казатомпром»", "National Atomic Company Kazatomprom JSC", NC,
      "kazatomprom", "9707")
for kk, ru, en, code, slug in [
        ("«Қазатомөнеркәсіп-SaUran» ЖШС", "ТОО «Казатомпром-SaUran»", "Kazatomprom-SaUran LLP", "KZ-61", "sauran"),
        ("«Аппақ» ЖШС", "ТОО «Аппак»", "Appak LLP", "KZ-61", "appak"),
        ("«РУ-6» ЖШС", "ТОО «РУ-6»", "RU-6 LLP", "KZ-43", "ru6"),
        ("«Үлбі металлургия зауыты» АҚ", "АО «Ульбинский металлургический завод»", "Ulba Metallurgical Plant JSC",
         "KZ-63", "ulba"),
        ("«Волковгеология» АҚ", "АО «Волковгеология»", "Volkovgeology JSC", "KZ-75", "volkovgeology"),
        ("«Жоғары технологиялар институты» ЖШС", "ТОО «Институт высоких технологий»",
         "Institute of High Technologies LLP", "KZ-75", "iht")]:
    quasi(None, "kap", code, kk, ru, en, SUB, slug)

quasi("kazpost", "samruk", "KZ-71", "«Қазпошта» АҚ", "АО «Казпочта»", "Kazpost JSC", NC, "kazpost", "0008")
regional_branches("kazpost", ["KZ-35", "KZ-75", "KZ-61", "KZ-63", "KZ-39", "KZ-27"],
                  "«Қазпошта» АҚ {kk} бойынша филиалы", "Филиал АО «Казпочта» {ru_po}",
                  "Kazpost branch for {en}", BR)

quasi("airastana", "samruk", "KZ-75", "«Эйр Астана» АҚ", "АО «Эйр Астана»", "Air Astana JSC", NC, "airastana", "0109")
quasi(None, "airastana", "KZ-75", "«FlyArystan» АҚ", "АО «FlyArystan»", "FlyArystan JSC", SUB, "flyarystan")
quasi(None, "samruk", "KZ-71", "«Qazaq Air» АҚ", "АО «Qazaq Air»", "Qazaq Air JSC", (100, 400), "qazaqair")

quasi("sken", "samruk", "KZ-71", "«Самұрық-Энерго» АҚ", "АО «Самрук-Энерго»", "Samruk-Energy JSC", NC,
      "samruk-energy", "0705")
for kk, ru, en, code, slug in [
        ("«Алматы электр станциялары» АҚ", "АО «Алматинские электрические станции»", "Almaty Power Plants JSC",
         "KZ-75", "ales"),
        ("«Булат Нұржанов атындағы Екібастұз ГРЭС-1» ЖШС", "ТОО «Экибастузская ГРЭС-1 имени Булата Нуржанова»",
         "Ekibastuz GRES-1 named after Bulat Nurzhanov LLP", "KZ-55", "gres1"),
        ("«Екібастұз ГРЭС-2 станциясы» АҚ", "АО «Станция Экибастузская ГРЭС-2»", "Ekibastuz GRES-2 Station JSC",
         "KZ-55", "gres2"),
        ("«Мойнақ СЭС» АҚ", "АО «Мойнакская ГЭС»", "Moinak HPP JSC", "KZ-19", "moinak"),
        ("«Шардара СЭС» АҚ", "АО «Шардаринская ГЭС»", "Shardara HPP JSC", "KZ-61", "shardara"),
        ("«Богатырь Көмір» ЖШС", "ТОО «Богатырь Комир»", "Bogatyr Komir LLP", "KZ-55", "bogatyr"),
        ("«Алатау Жарық Компаниясы» АҚ", "АО «Алатау Жарык Компаниясы»", "Alatau Zharyk Company JSC", "KZ-75", "azhk"),
        ("«АлматыЭнергоСбыт» ЖШС", "ТОО «АлматыЭнергоСбыт»", "AlmatyEnergoSbyt LLP", "KZ-75", "aes")]:
    quasi(None, "sken", code, kk, ru, en, SUB, slug)

quasi("kt", "samruk", "KZ-71", "«Қазақтелеком» АҚ", "АО «Казахтелеком»", "Kazakhtelecom JSC", NC, "telecom", "9406")
for kk, ru, en in [
        ("«Қазақтелеком» АҚ филиалы – Ақпараттық технологиялар дирекциясы",
         "Филиал АО «Казахтелеком» – Дирекция информационных технологий",
         "Information Technology Directorate, branch of Kazakhtelecom"),
        ("«Қазақтелеком» АҚ филиалы – «Корпоративтік бизнес» дивизионы",
         "Филиал АО «Казахтелеком» – Дивизион «Корпоративный бизнес»",
         "Corporate Business Division, branch of Kazakhtelecom"),
        ("«Қазақтелеком» АҚ филиалы – «Бөлшек бизнес» дивизионы",
         "Филиал АО «Казахтелеком» – Дивизион «Розничный бизнес»",
         "Retail Business Division, branch of Kazakhtelecom")]:
    quasi(None, "kt", "KZ-71", kk, ru, en, BR, branch=True)
quasi(None, "kt", "KZ-71", "«KT Cloud Lab» ЖШС", "ТОО «KT Cloud Lab»", "KT Cloud Lab LLP", (50, 300), "ktcloudlab")

quasi("qg", "samruk", "KZ-71", "«QazaqGaz» ұлттық компаниясы» АҚ", "АО «Национальная компания «QazaqGaz»",
      "QazaqGaz National Company JSC", NC, "qazaqgaz", "0002")
quasi(None, "qg", "KZ-71", "«Интергаз Орталық Азия» АҚ", "АО «Интергаз Центральная Азия»",
      "Intergas Central Asia JSC", SUB, "ica")
quasi("qga", "qg", "KZ-71", "«QazaqGaz Aimaq» АҚ", "АО «QazaqGaz Aimaq»", "QazaqGaz Aimaq JSC", SUB, "aimaq")
for kk, ru, en, code in [("Атырау", "Атырауский", "Atyrau", "KZ-23"), ("Ақтөбе", "Актюбинский", "Aktobe", "KZ-15"),
                         ("Жамбыл", "Жамбылский", "Zhambyl", "KZ-31"), ("Түркістан", "Туркестанский", "Turkistan", "KZ-61"),
                         ("Қостанай", "Костанайский", "Kostanay", "KZ-39")]:
    quasi(None, "qga", code, "«QazaqGaz Aimaq» АҚ " + kk + " өндірістік филиалы",
          ru + " производственный филиал АО «QazaqGaz Aimaq»",
          en + " Production Branch of QazaqGaz Aimaq", BR, branch=True)
quasi(None, "qg", "KZ-75", "«Азия газ құбыры» ЖШС", "ТОО «Азиатский газопровод»", "Asian Gas Pipeline LLP",
      (50, 300), "agp")
quasi(None, "qg", "KZ-75", "«Бейнеу-Бозой-Шымкент газ құбыры» ЖШС", "ТОО «Газопровод Бейнеу-Бозой-Шымкент»",
      "Beineu-Bozoi-Shymkent Gas Pipeline LLP", (50, 300), "bbsh")

quasi("ondeu", "samruk", "KZ-71", "«Самұрық-Қазына Өндеу» АҚ", "АО «Самрук-Казына Ондеу»",
      "Samruk-Kazyna Ondeu JSC", (300, 600), "ondeu")
quasi(None, "ondeu", "KZ-23", "«Kazakhstan Petrochemical Industries Inc.» ЖШС",
      "ТОО «Kazakhstan Petrochemical Industries Inc.»", "Kazakhstan Petrochemical Industries Inc. LLP", SUB, "kpi")
quasi("tks", "samruk", "KZ-71", "«Тау-Кен Самұрық» ұлттық тау-кен компаниясы» АҚ",
      "АО «Национальная горнорудная компания «Тау-Кен Самрук»", "Tau-Ken Samruk National Mining Company JSC",
      (300, 800), "taukensamruk")
quasi(None, "tks", "KZ-71", "«Тау-Кен Алтын» ЖШС", "ТОО «Тау-Кен Алтын»", "Tau-Ken Altyn LLP", (50, 400), "taukenaltyn")
quasi(None, "samruk", "KZ-71", "«Samruk-Kazyna Construction» АҚ", "АО «Samruk-Kazyna Construction»",
      "Samruk-Kazyna Construction JSC", (100, 400), "skc")
quasi(None, "samruk", "KZ-71", "«Самұрық-Қазына Контракт» ЖШС", "ТОО «Самрук-Казына Контракт»",
      "Samruk-Kazyna Contract LLP", (100, 400), "skcontract")
quasi(None, "samruk", "KZ-71", "«Samruk-Kazyna Business Service» ЖШС", "ТОО «Samruk-Kazyna Business Service»",
      "Samruk-Kazyna Business Service LLP", (100, 800), "skbs")

# Baiterek holding
quasi("baiterek", None, "KZ-71", "«Бәйтерек» ұлттық басқарушы холдингі» АҚ",
      "АО «Национальный управляющий холдинг «Байтерек»", "Baiterek National Managing Holding JSC",
      (300, 600), "baiterek", "1305")
quasi("dbk", "baiterek", "KZ-71", "«Қазақстанның Даму Банкі» АҚ", "АО «Банк Развития Казахстана»",
      "Development Bank of Kazakhstan JSC", (300, 800), "kdb")
quasi(None, "dbk", "KZ-71", "«ҚДБ-Лизинг» АҚ", "АО «БРК-Лизинг»", "DBK-Leasing JSC", (50, 200), "dbkleasing")
quasi(None, "baiterek", "KZ-75", "«Отбасы банк» АҚ", "АО «Отбасы банк»", "Otbasy Bank JSC", SUB, "otbasybank")
quasi("damu", "baiterek", "KZ-75", "«Даму» кәсіпкерлікті дамыту қоры» АҚ",
      "АО «Фонд развития предпринимательства «Даму»", "Damu Entrepreneurship Development Fund JSC", SUB, "damu")
regional_branches("damu", ["KZ-35", "KZ-61", "KZ-63", "KZ-55", "KZ-15"],
                  "«Даму» кәсіпкерлікті дамыту қоры» АҚ {kk} бойынша филиалы",
                  "Филиал АО «Фонд развития предпринимательства «Даму» {ru_po}",
                  "Damu Fund branch for {en}", (15, 60))
quasi(None, "baiterek", "KZ-71", "«Қазақстанның экспорттық-кредиттік агенттігі» АҚ",
      "АО «Экспортно-кредитное агентство Казахстана»", "Export Credit Agency of Kazakhstan (KazakhExport) JSC",
      (50, 200), "kazakhexport")
quasi(None, "baiterek", "KZ-71", "«Қазақстандық тұрғын үй компаниясы» АҚ", "АО «Казахстанская жилищная компания»",
      "Kazakhstan Housing Company JSC", SUB, "khc")
quasi(None, "baiterek", "KZ-71", "«Qazaqstan Investment Corporation» АҚ", "АО «Qazaqstan Investment Corporation»",
      "Qazaqstan Investment Corporation JSC", (50, 200), "qic")
quasi("acc", "baiterek", "KZ-71", "«Аграрлық несие корпорациясы» АҚ", "АО «Аграрная кредитная корпорация»",
      "Agrarian Credit Corporation JSC", SUB, "agrocredit")
regional_branches("acc", ["KZ-39", "KZ-59", "KZ-11", "KZ-61", "KZ-31"],
                  "«Аграрлық несие корпорациясы» АҚ {kk} бойынша филиалы",
                  "Филиал АО «Аграрная кредитная корпорация» {ru_po}",
                  "Agrarian Credit Corporation branch for {en}", (15, 60))
quasi(None, "baiterek", "KZ-71", "«QazTech Ventures» АҚ", "АО «QazTech Ventures»", "QazTech Ventures JSC",
      (50, 150), "qaztechventures")

# Digital government
quasi("nit", "digital", "KZ-71", "«Ұлттық ақпараттық технологиялар» АҚ",
      "АО «Национальные информационные технологии»", "National Information Technologies JSC", (600, 1500), "nitec")
quasi(None, "nit", "KZ-75", "«Ұлттық ақпараттық технологиялар» АҚ Алматы филиалы",
      "Алматинский филиал АО «Национальные информационные технологии»",
      "Almaty branch of National Information Technologies JSC", (50, 300), branch=True)
quasi("govcorp", "digital", "KZ-71", "«Азаматтарға арналған үкімет» мемлекеттік корпорациясы» КЕАҚ",
      "НАО «Государственная корпорация «Правительство для граждан»",
      "Government for Citizens State Corporation NJSC", (2000, 5000), "gov4c")
regional_branches("govcorp", REGION_CODES,
                  "«Азаматтарға арналған үкімет» мемлекеттік корпорациясы» КЕАҚ {kk} бойынша филиалы",
                  "Филиал НАО «Государственная корпорация «Правительство для граждан» {ru_po}",
                  "Government for Citizens branch for {en}", (100, 600))
quasi(None, "infosec", "KZ-71", "«Мемлекеттік техникалық қызмет» АҚ", "АО «Государственная техническая служба»",
      "State Technical Service JSC", (200, 800), "sts")
quasi(None, "aerospace", "KZ-71", "«Ғарыштық байланыс республикалық орталығы» АҚ",
      "АО «Республиканский центр космической связи»", "Republican Center of Space Communication JSC",
      (100, 400), "rcsc")
quasi(None, "aerospace", "KZ-71", "«Қазақстан Ғарыш Сапары» ұлттық компаниясы» АҚ",
      "АО «Национальная компания «Қазақстан Ғарыш Сапары»", "Kazakhstan Gharysh Sapary National Company JSC",
      (300, 600), "gharysh")
quasi(None, "digital", "KZ-75", "«Қазақстандық желілік ақпарат орталығы» ЖШС",
      "ТОО «Казахстанский центр сетевой информации»", "Kazakhstan Network Information Center LLP", (50, 100), "nic")
quasi(None, "digital", "KZ-71", "«Зерде» ұлттық инфокоммуникациялық холдингі» АҚ",
      "АО «Национальный инфокоммуникационный холдинг «Зерде»", "Zerde National Infocommunication Holding JSC",
      (300, 500), "zerde")
quasi(None, "digital", "KZ-71", "«Astana Hub» IT-стартаптар халықаралық технопаркі» корпоративтік қоры",
      "Корпоративный фонд «Международный технопарк IT-стартапов «Astana Hub»",
      "Astana Hub International Technopark of IT Startups Corporate Fund", (50, 300), "astanahub")

# Companies and enterprises of other central bodies
OTHER_QUASI = [
    ("mfa", "KZ-71", "«Kazakh Invest» ұлттық компаниясы» АҚ", "АО «Национальная компания «Kazakh Invest»",
     "Kazakh Invest National Company JSC", (100, 400), "kazakhinvest"),
    ("trade", "KZ-71", "«QazTrade» сауда саясатын дамыту орталығы» АҚ", "АО «Центр развития торговой политики «QazTrade»",
     "QazTrade Trade Policy Development Center JSC", (50, 300), "qaztrade"),
    ("industry", "KZ-71", "«QazIndustry» қазақстандық индустрия және экспорт орталығы» АҚ",
     "АО «Казахстанский центр индустрии и экспорта «QazIndustry»",
     "QazIndustry Kazakhstan Center for Industry and Export JSC", (50, 300), "qazindustry"),
    ("construction", "KZ-71", "«Мемлекеттік сараптама» ШЖҚ РМК", "РГП на ПХВ «Госэкспертиза»",
     "Gosexpertiza RSE", (300, 1500), "gosexpertiza"),
    ("health", "KZ-71", "«Әлеуметтік медициналық сақтандыру қоры» КЕАҚ",
     "НАО «Фонд социального медицинского страхования»", "Social Health Insurance Fund NJSC", (300, 1500), "fms"),
    ("kmfk", "KZ-71", "«Дәрілік заттар мен медициналық бұйымдарды сараптау ұлттық орталығы» ШЖҚ РМК",
     "РГП на ПХВ «Национальный центр экспертизы лекарственных средств и медицинских изделий»",
     "National Center for Expertise of Medicines and Medical Devices RSE", (200, 800), "ndda"),
    ("health", "KZ-71", "«Салидат Қайырбекова атындағы Денсаулық сақтауды дамытудың ұлттық ғылыми орталығы» ШЖҚ РМК",
     "РГП на ПХВ «Национальный научный центр развития здравоохранения имени Салидат Каирбековой»",
     "Salidat Kairbekova National Research Center for Health Development RSE", (100, 400), "nrchd"),
    ("civil", "KZ-71", "«Азаматтық бастамаларды қолдау орталығы» КЕАҚ", "НАО «Центр поддержки гражданских инициатив»",
     "Civic Initiatives Support Center NJSC", (50, 150), "cisc"),
    ("culture", "KZ-71", "«Қазақстан» республикалық телерадиокорпорациясы» АҚ",
     "АО «Республиканская телерадиокорпорация «Казахстан»", "Qazaqstan Republican TV and Radio Corporation JSC",
     (500, 2000), "qazaqstantv"),
    ("culture", "KZ-71", "«Kazinform» халықаралық ақпарат агенттігі» АҚ",
     "АО «Международное информационное агентство «Kazinform»", "Kazinform International News Agency JSC",
     (100, 400), "kazinform"),
    ("labour", "KZ-71", "«Еңбек ресурстарын дамыту орталығы» АҚ", "АО «Центр развития трудовых ресурсов»",
     "Center for Labour Resources Development JSC", (100, 400), "enbekcenter"),
    ("science", "KZ-71", "«Қаржы орталығы» АҚ", "АО «Финансовый центр»", "Financial Center JSC", (100, 300), "fincenter"),
    ("education", "KZ-71", "«Ақпараттық-талдау орталығы» АҚ", "АО «Информационно-аналитический центр»",
     "Information and Analytical Center JSC", (100, 300), "iac"),
    ("education", "KZ-71", "«Өрлеу» біліктілікті арттыру ұлттық орталығы» АҚ",
     "АО «Национальный центр повышения квалификации «Өрлеу»",
     "Orleu National Center for Professional Development JSC", (200, 1000), "orleu"),
    ("economy", "KZ-71", "«Қазақстандық мемлекеттік-жекешелік әріптестік орталығы» АҚ",
     "АО «Казахстанский центр государственно-частного партнерства»",
     "Kazakhstan Public-Private Partnership Center JSC", (50, 150), "kzppp"),
    ("economy", "KZ-71", "«Экономикалық зерттеулер институты» АҚ", "АО «Институт экономических исследований»",
     "Economic Research Institute JSC", (50, 200), "economy-research"),
    ("sport", "KZ-71", "«Kazakh Tourism» ұлттық компаниясы» АҚ", "АО «Национальная компания «Kazakh Tourism»",
     "Kazakh Tourism National Company JSC", (50, 200), "kazakhtourism"),
    ("kgd", "KZ-71", "«Ақпараттық-есеп орталығы» АҚ", "АО «Информационно-учетный центр»",
     "Information and Accounting Center JSC", (100, 500), "iuc"),
    ("finance", "KZ-71", "«Электрондық қаржы орталығы» АҚ", "АО «Центр электронных финансов»",
     "Electronic Finance Center JSC", (100, 400), "efc"),
    ("ip", "KZ-71", "«Ұлттық зияткерлік меншік институты» ШЖҚ РМК",
     "РГП на ПХВ «Национальный институт интеллектуальной собственности»",
     "National Institute of Intellectual Property RSE", (100, 300), "kazpatent"),
    ("agriculture", "KZ-71", "«Азық-түлік келісімшарт корпорациясы» ұлттық компаниясы» АҚ",
     "АО «Национальная компания «Продовольственная контрактная корпорация»",
     "Food Contract Corporation National Company JSC", (300, 1500), "fcc"),
    ("aviation", "KZ-71", "«Қазаэронавигация» ШЖҚ РМК", "РГП на ПХВ «Казаэронавигация»", "Kazaeronavigatsia RSE",
     (500, 2000), "kazan"),
]
for pkey, code, kk, ru, en, hc, slug in OTHER_QUASI:
    quasi(None, pkey, code, kk, ru, en, hc, slug)

quasi("kazavtozhol", "roads", "KZ-71", "«ҚазАвтоЖол» ұлттық компаниясы» АҚ", "АО «Национальная компания «ҚазАвтоЖол»",
      "KazAvtoZhol National Company JSC", (300, 2000), "kazavtozhol")
regional_branches("kazavtozhol", ["KZ-11", "KZ-35", "KZ-15", "KZ-31", "KZ-63"],
                  "«ҚазАвтоЖол» ұлттық компаниясы» АҚ {kk} бойынша филиалы",
                  "Филиал АО «Национальная компания «ҚазАвтоЖол» {ru_po}",
                  "KazAvtoZhol branch for {en}", (30, 200))
quasi("hydromet", "ecology", "KZ-71", "«Қазгидромет» ШЖҚ РМК", "РГП на ПХВ «Казгидромет»", "Kazhydromet RSE",
      (500, 2000), "meteo")
regional_branches("hydromet", ["KZ-75", "KZ-63", "KZ-23", "KZ-39"],
                  "«Қазгидромет» ШЖҚ РМК {kk} бойынша филиалы", "Филиал РГП на ПХВ «Казгидромет» {ru_po}",
                  "Kazhydromet branch for {en}", (30, 150))
quasi("vodkhoz", "watereco", "KZ-71", "«Қазсушар» ШЖҚ РМК", "РГП на ПХВ «Казводхоз»", "Kazvodkhoz RSE",
      (300, 2000), "kazvodkhoz")
regional_branches("vodkhoz", ["KZ-61", "KZ-43", "KZ-31", "KZ-19", "KZ-33", "KZ-35"],
                  "«Қазсушар» ШЖҚ РМК {kk} филиалы", "Филиал РГП на ПХВ «Казводхоз» {ru_po}",
                  "Kazvodkhoz branch for {en}", (50, 400))

# Social-entrepreneurial corporations of the regions (owned by the akimats)
SPK = [("KZ-35", "Сарыарқа", "Сарыарка", "Saryarka"), ("KZ-39", "Тобыл", "Тобол", "Tobyl"),
       ("KZ-55", "Ертіс", "Ертіс", "Ertis"), ("KZ-27", "Бәйтерек", "Байтерек", "Baiterek"),
       ("KZ-75", "Алматы", "Алматы", "Almaty"), ("KZ-71", "Астана", "Астана", "Astana"),
       ("KZ-79", "Шымкент", "Шымкент", "Shymkent"), ("KZ-47", "Каспий", "Каспий", "Caspiy"),
       ("KZ-15", "Ақтөбе", "Актобе", "Aktobe"), ("KZ-43", "Байқоңыр", "Байконыр", "Baikonyr")]
for code, kk, ru, en in SPK:
    add("quasi_public_organization", AKIMATS[code], code,
        "«" + kk + "» әлеуметтік-кәсіпкерлік корпорациясы» ҰК» АҚ",
        "АО «Национальная компания «Социально-предпринимательская корпорация «" + ru + "»",
        en + " Social-Entrepreneurial Corporation National Company JSC", (30, 150),
        "spk-" + slugify(en) + ".kz.example")

quasi(None, None, "KZ-75", "«Бірыңғай жинақтаушы зейнетақы қоры» АҚ", "АО «Единый накопительный пенсионный фонд»",
      "Unified Accumulative Pension Fund JSC", (300, 1200), "enpf", "1308")

# --- 6. Military units --------------------------------------------------------
MOD = C["defence"]
gs = add("military_unit", MOD, "KZ-71", "Қазақстан Республикасы Қарулы Күштерінің Бас штабы",
         "Генеральный штаб Вооруженных Сил Республики Казахстан",
         "General Staff of the Armed Forces of the Republic of Kazakhstan", (300, 800), MOD["domain"])
BRANCHES = {}
for key, kk, ru, en, code in [
        ("land", "Құрлық әскерлерінің қолбасшылығы", "Командование Сухопутных войск", "Land Forces Command", "KZ-71"),
        ("airdef", "Әуе қорғанысы күштерінің Бас қолбасшылығы", "Главное командование Сил воздушной обороны",
         "Air Defence Forces Main Command", "KZ-71"),
        ("navy", "Әскери-теңіз күштерінің қолбасшылығы", "Командование Военно-морских сил", "Naval Forces Command",
         "KZ-47"),
        ("assault", "Десанттық-шабуылдау әскерлерінің қолбасшылығы", "Командование Десантно-штурмовых войск",
         "Air Assault Forces Command", "KZ-71"),
        ("artillery", "Зымыран әскерлері мен артиллерия қолбасшылығы", "Командование Ракетных войск и артиллерии",
         "Rocket Forces and Artillery Command", "KZ-71")]:
    BRANCHES[key] = add("military_unit", gs, code, kk, ru, en, (150, 500), MOD["domain"])
RC = {}
for key, kk, ru, en, code in [("astana", "Астана", "Астана", "Astana", "KZ-71"),
                              ("east", "Шығыс", "Восток", "East", "KZ-10"),
                              ("west", "Батыс", "Запад", "West", "KZ-15"),
                              ("south", "Оңтүстік", "Юг", "South", "KZ-31")]:
    RC[key] = add("military_unit", BRANCHES["land"], code, "«" + kk + "» өңірлік қолбасшылығы",
                  "Региональное командование «" + ru + "»", "Regional Command " + en, (200, 800), MOD["domain"])
UNIT_PLACES = [
    (RC["astana"], ["KZ-71", "KZ-11", "KZ-35", "KZ-59"], 5),
    (RC["east"], ["KZ-10", "KZ-63"], 4),
    (RC["west"], ["KZ-15", "KZ-27", "KZ-23"], 4),
    (RC["south"], ["KZ-31", "KZ-61", "KZ-79", "KZ-33", "KZ-19", "KZ-43"], 6),
    (BRANCHES["airdef"], ["KZ-35", "KZ-71", "KZ-19", "KZ-10", "KZ-61"], 4),
    (BRANCHES["navy"], ["KZ-47", "KZ-23"], 2),
    (BRANCHES["assault"], ["KZ-35", "KZ-71", "KZ-33", "KZ-10"], 3),
    (BRANCHES["artillery"], ["KZ-55", "KZ-31", "KZ-71"], 2),
]
used_numbers = set()
for parent, codes, n in UNIT_PLACES:
    for i in range(n):
        while True:
            num = rng.randint(10000, 99999)
            if num not in used_numbers:
                used_numbers.add(num)
                break
        code = codes[i % len(codes)]
        add("military_unit", parent, code, "№ %d әскери бөлімі" % num, "Воинская часть № %d" % num,
            "Military Unit No. %d" % num, (100, 1500), MOD["domain"])

# ---------------------------------------------------------------------------
# People (all fictional)
# ---------------------------------------------------------------------------

KZ_MALE = ["Айдос", "Ерлан", "Нурлан", "Серик", "Асхат", "Данияр", "Бауыржан", "Ержан", "Марат", "Арман",
           "Тимур", "Дархан", "Ерболат", "Жандос", "Канат", "Талгат", "Ринат", "Адиль", "Алмас", "Бекзат",
           "Дамир", "Ермек", "Самат", "Нуржан", "Олжас", "Руслан", "Азамат", "Мирас", "Ильяс", "Берик",
           "Галым", "Жасулан", "Максат", "Медет", "Санжар", "Айбек", "Кайрат", "Мухтар", "Аскар", "Диас"]
KZ_FEMALE = ["Айгерим", "Динара", "Асель", "Жанна", "Гульнара", "Сауле", "Мадина", "Алия", "Карлыгаш", "Назира",
             "Ботагоз", "Айжан", "Салтанат", "Аружан", "Камила", "Дана", "Меруерт", "Жансая", "Индира", "Гаухар",
             "Айнур", "Акмарал", "Балжан", "Гульмира", "Жулдыз", "Лаура", "Томирис", "Шынар", "Эльмира", "Зарина"]
KZ_SURNAMES = ["Ахметов", "Жумабаев", "Нурланов", "Сарсенбаев", "Омаров", "Искаков", "Касымов", "Тулегенов",
               "Абдрахманов", "Есенов", "Калиев", "Мусин", "Садыков", "Байжанов", "Оспанов", "Толеуов", "Утепов",
               "Шарипов", "Кенжебеков", "Альжанов", "Ибраев", "Муканов", "Нуркенов", "Серикбаев", "Рахимов",
               "Жакупов", "Дюсенов", "Байтурсынов", "Сейтказиев", "Аманжолов", "Ержанов", "Куанышев", "Бектуров",
               "Темирханов", "Жаксылыков", "Алимжанов", "Кожахметов", "Досымов", "Сагинов", "Умирзаков",
               "Турсынов", "Мамыров", "Елеуов", "Жунусов", "Карабаев"]
KZ_MODERN_SURNAMES = ["Сейтқали", "Төлеген", "Нұрмұхамед", "Бекмұрат", "Әбдірахман", "Жақсылық", "Серікбай",
                      "Қуаныш", "Оразалы", "Ермекбай", "Әлібек", "Тұрсынбек", "Бауыржан", "Дәулет", "Мұхамеджан"]
# father's name: (Russian spelling for -ович/-овна, Kazakh spelling for -ұлы/-қызы)
KZ_FATHERS = [("Марат", "Марат"), ("Серик", "Серік"), ("Болат", "Болат"), ("Ерлан", "Ерлан"), ("Нурлан", "Нұрлан"),
              ("Кайрат", "Қайрат"), ("Бакыт", "Бақыт"), ("Жумабек", "Жұмабек"), ("Нурлыбек", "Нұрлыбек"),
              ("Талгат", "Талғат"), ("Ермек", "Ермек"), ("Мурат", "Мұрат"), ("Сагат", "Сағат"), ("Асхат", "Асхат"),
              ("Канат", "Қанат"), ("Бауыржан", "Бауыржан"), ("Есен", "Есен"), ("Кенес", "Кеңес"),
              ("Толеген", "Төлеген"), ("Даурен", "Дәурен")]
RU_MALE = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Евгений", "Игорь", "Владимир", "Максим",
           "Денис", "Олег", "Виталий", "Артём", "Павел", "Роман", "Вячеслав", "Константин", "Илья"]
RU_FEMALE = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Анна", "Екатерина",
             "Марина", "Оксана", "Виктория", "Людмила", "Анастасия", "Галина"]
RU_SURNAMES = [("Петров", "Петрова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"), ("Волков", "Волкова"),
               ("Попов", "Попова"), ("Морозов", "Морозова"), ("Соколов", "Соколова"), ("Лебедев", "Лебедева"),
               ("Новиков", "Новикова"), ("Фёдоров", "Фёдорова"), ("Шевченко", "Шевченко"),
               ("Бондаренко", "Бондаренко"), ("Ким", "Ким"), ("Пак", "Пак"), ("Цой", "Цой"), ("Ли", "Ли"),
               ("Хан", "Хан"), ("Мельников", "Мельникова"), ("Захаров", "Захарова"), ("Гусев", "Гусева"),
               ("Белов", "Белова"), ("Шмидт", "Шмидт"), ("Тарасов", "Тарасова"), ("Хамитов", "Хамитова"),
               ("Галиев", "Галиева"), ("Юсупов", "Юсупова"), ("Ибрагимов", "Ибрагимова"), ("Гаврилов", "Гаврилова")]
RU_FATHERS = [("Иванович", "Ивановна"), ("Сергеевич", "Сергеевна"), ("Александрович", "Александровна"),
              ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна"), ("Викторович", "Викторовна"),
              ("Юрьевич", "Юрьевна"), ("Петрович", "Петровна"), ("Анатольевич", "Анатольевна"),
              ("Михайлович", "Михайловна")]


def make_person():
    """A fictional person: (full name, first name, surname)."""
    female = rng.random() < 0.45
    if rng.random() < 0.72:  # Kazakh
        first = rng.choice(KZ_FEMALE if female else KZ_MALE)
        if rng.random() < 0.2:
            surname = rng.choice(KZ_MODERN_SURNAMES)
        else:
            surname = rng.choice(KZ_SURNAMES) + ("а" if female else "")
        father_ru, father_kk = rng.choice(KZ_FATHERS)
        p = rng.random()
        if p < 0.45:
            patronymic = father_ru + ("овна" if female else "ович")
        elif p < 0.75:
            patronymic = father_kk + ("қызы" if female else "ұлы")
        else:
            patronymic = ""
    else:  # Russian, Ukrainian, Korean, Tatar, German surnames
        first = rng.choice(RU_FEMALE if female else RU_MALE)
        surname = rng.choice(RU_SURNAMES)[1 if female else 0]
        patronymic = rng.choice(RU_FATHERS)[1 if female else 0] if rng.random() < 0.7 else ""
    full = " ".join(x for x in (surname, first, patronymic) if x)
    return full, first, surname


USED_EMAILS = set()


def make_email(first, surname, domain):
    base = translit(first)[0] + "." + re.sub(r"[^a-z]", "", translit(surname))
    local, n = base, 1
    while local + "@" + domain in USED_EMAILS:
        n += 1
        local = "%s%d" % (base, n)
    email = local + "@" + domain
    USED_EMAILS.add(email)
    return email


MOBILE = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]


def make_phone():
    return "+7 %s %03d %02d %02d" % (rng.choice(MOBILE), rng.randint(100, 999), rng.randint(0, 99),
                                     rng.randint(0, 99))


# ---------------------------------------------------------------------------
# Output: depth-first, parents before children
# ---------------------------------------------------------------------------

ordered = []


def walk(org, depth):
    org["depth"] = depth
    ordered.append(org)
    for child in org["children"]:
        walk(child, depth + 1)


for org in ORGS:
    if org["parent"] is None:
        walk(org, 1)
assert len(ordered) == len(ORGS)

rows = []
for org in ordered:
    it_name, it_first, it_sur = make_person()
    head_name, h_first, h_sur = make_person()
    rows.append({
        "bin": org["bin"],
        "kind": org["kind"],
        "parent_bin": org["parent"]["bin"] if org["parent"] else "",
        "region": org["region"],
        "headcount": str(org["headcount"]),
        "name_kk": org["name_kk"],
        "name_ru": org["name_ru"],
        "name_en": org["name_en"],
        "it_head_name": it_name,
        "it_head_email": make_email(it_first, it_sur, org["domain"]),
        "it_head_phone": make_phone(),
        "head_name": head_name,
        "head_email": make_email(h_first, h_sur, org["domain"]),
    })

# A few small units have not given one of the two addresses yet (~2%).
small = [i for i, o in enumerate(ordered) if o["headcount"] <= 40 and o["depth"] >= 3]
for n, i in enumerate(sorted(rng.sample(small, round(len(rows) * 0.02)))):
    rows[i]["it_head_email" if n % 2 == 0 else "head_email"] = ""

# ---------------------------------------------------------------------------
# Integrity checks
# ---------------------------------------------------------------------------

EMAIL_RE = re.compile(r"^[a-z0-9._-]+@[a-z0-9.-]+\.example$")
bins = [r["bin"] for r in rows]
assert 1200 <= len(rows) <= 2500, len(rows)
assert len(set(bins)) == len(bins), "duplicate BIN"
for b in bins:
    assert bin_is_valid(b), b
    assert b[4] == "4" and b[5] in "01", b
seen = set()
for r in rows:
    assert r["kind"] in KINDS
    assert r["region"] in REGION_CODES or r["region"] == "republican"
    assert r["parent_bin"] == "" or r["parent_bin"] in seen, "parent after child: " + r["bin"]
    seen.add(r["bin"])
    for f in ("it_head_email", "head_email"):
        assert r[f] == "" or EMAIL_RE.match(r[f]), r[f]
    for f in ("name_kk", "name_ru", "it_head_name", "it_head_phone", "head_name"):
        assert r[f].strip(), (f, r["bin"])
    assert int(r["headcount"]) >= 0
assert max(o["depth"] for o in ordered) <= 5

with open(OUT, "w", encoding="utf-8", newline="") as fh:
    writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)

if __name__ == "__main__":
    kinds = Counter(r["kind"] for r in rows)
    depths = Counter(o["depth"] for o in ordered)
    print("wrote %d organizations to %s" % (len(rows), os.path.relpath(OUT)))
    for k in KINDS:
        print("  %-28s %5d" % (k, kinds[k]))
    print("  depth histogram:", ", ".join("%d: %d" % (d, depths[d]) for d in sorted(depths)))
