"""Sections, authors, outlets, contexts and pictures of the demo newsroom."""

from __future__ import annotations

from dataclasses import dataclass

# One vocabulary for articles and events. Places come first: almost every
# event happens somewhere, so they are the common contexts; topics make the
# long tail.
CONTEXTS = (
    "Port Arlen",
    "Velmont",
    "Kestrel Bay",
    "Oster",
    "Lisle",
    "Brevance",
    "Hallow Ridge",
    "Morvane",
    "National Assembly",
    "Elections",
    "Harbour",
    "Energy",
    "Climate",
    "Public health",
    "Courts",
    "Rail",
    "Housing",
    "Interest rates",
    "Fisheries",
    "Floods",
    "Wildfires",
    "Drought",
    "Strikes",
    "Space",
    "Football",
    "Cycling",
    "Film festival",
    "Arlen Shipyards",
    "Data privacy",
)


@dataclass(frozen=True)
class DemoSection:
    key: str
    name: str
    order: int
    description: str
    parent: str = ""


SECTIONS = (
    DemoSection(
        "news",
        "News",
        1,
        "What happened today in Port Arlen, Velmont and the rest of the country, reported by our own correspondents.",
    ),
    DemoSection(
        "business",
        "Business",
        2,
        "Ports, banks, shipyards and the people who work in them. Prices, wages and where the money goes.",
    ),
    DemoSection(
        "science",
        "Science",
        3,
        "Discoveries from the observatory, the university and the sea, and what they mean for the rest of us.",
    ),
    DemoSection(
        "culture",
        "Culture",
        4,
        "Film, books, music and the stage, from the Port Arlen Film Festival to the village halls of Brevance.",
    ),
    DemoSection("sport", "Sport", 5, "Football, cycling, rowing and the results that matter on Monday morning."),
    DemoSection(
        "opinion",
        "Opinion",
        6,
        "Arguments from our writers. Opinion pieces are signed and speak for their authors.",
    ),
    DemoSection(
        "editorials",
        "Editorials",
        1,
        "The view of Dateline's editorial board, agreed at its weekly meeting.",
        parent="opinion",
    ),
)


@dataclass(frozen=True)
class Portrait:
    """How an author's illustrated portrait looks: colours and a few features."""

    background: tuple[tuple[int, int, int], tuple[int, int, int]]
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str
    clothing: tuple[int, int, int]
    glasses: bool = False


@dataclass(frozen=True)
class DemoAuthor:
    slug: str
    name: str
    role: str
    bio: str
    portrait: Portrait

    @property
    def email(self) -> str:
        return f"{self.slug.replace('-', '.')}@dateline.example"


# The demo editor account signs in as this author.
EDITOR_AUTHOR = "ruth-abernethy"

AUTHORS = (
    DemoAuthor(
        "helena-marsh",
        "Helena Marsh",
        "Political correspondent",
        "Helena Marsh has covered the National Assembly for Dateline since the last general election. "
        "Before that she reported on local government in Oster and Port Arlen. She writes about power: "
        "who has it, and what they do with it.",
        Portrait(((54, 82, 128), (146, 178, 204)), (232, 190, 160), (92, 58, 40), "long", (38, 48, 70)),
    ),
    DemoAuthor(
        "tobias-lindqvist",
        "Tobias Lindqvist",
        "Business editor",
        "Tobias Lindqvist leads Dateline's business desk. He spent eight years reporting on shipping and "
        "energy for trade papers, and still reads port schedules for pleasure.",
        Portrait(((150, 110, 70), (226, 196, 140)), (240, 206, 180), (206, 170, 110), "short", (60, 84, 96), True),
    ),
    DemoAuthor(
        "priya-raman",
        "Priya Raman",
        "Science editor",
        "Priya Raman trained as a marine biologist at the University of Lisle before turning to journalism. "
        "She writes about science, health and the environment, and edits Dateline's weekly science letter.",
        Portrait(((40, 110, 110), (150, 210, 190)), (176, 124, 92), (30, 24, 26), "bun", (150, 60, 70)),
    ),
    DemoAuthor(
        "samuel-adeyemi",
        "Samuel Adeyemi",
        "Correspondent",
        "Samuel Adeyemi reports from Port Arlen and the coast, from harbour politics to the Coast Cup. "
        "He joined Dateline as a trainee and has since worked on every desk in the newsroom.",
        Portrait(((120, 60, 70), (230, 150, 120)), (120, 80, 58), (24, 20, 20), "curly", (230, 226, 214)),
    ),
    DemoAuthor(
        "camille-fournier",
        "Camille Fournier",
        "Brevance correspondent",
        "Camille Fournier covers Brevance and the north from Vaudrec, in French and English. "
        "She also writes about film and books.",
        Portrait(((70, 60, 120), (190, 160, 210)), (236, 200, 176), (150, 70, 40), "long", (210, 170, 60)),
    ),
    DemoAuthor(
        "ruth-abernethy",
        "Ruth Abernethy",
        "Managing editor",
        "Ruth Abernethy is Dateline's managing editor and chairs its editorial board. She was previously "
        "its political editor and, before that, a court reporter in Velmont.",
        Portrait(((60, 90, 70), (180, 200, 150)), (226, 184, 156), (200, 200, 204), "short", (90, 40, 60), True),
    ),
)


@dataclass(frozen=True)
class DemoOutlet:
    key: str
    name: str
    domain: str

    @property
    def homepage(self) -> str:
        return f"https://{self.domain}/"


OUTLETS = (
    DemoOutlet("gazette", "Harbour Gazette", "harbourgazette.example"),
    DemoOutlet("courier", "Velmont Courier", "velmontcourier.example"),
    DemoOutlet("radio", "Coastline Radio", "coastlineradio.example"),
    DemoOutlet("review", "The Lisle Review", "lislereview.example"),
    DemoOutlet("kestrel", "Kestrel Bay Times", "kestrelbaytimes.example"),
    DemoOutlet("veilleur", "Le Veilleur de Brevance", "leveilleur.example"),
    DemoOutlet("morvane", "Morvane Press Agency", "morvanepress.example"),
    DemoOutlet("ledger", "The Ledger", "theledger.example"),
    DemoOutlet("herald", "Ridge Herald", "ridgeherald.example"),
    DemoOutlet("assembly", "National Assembly", "assembly.example"),
    DemoOutlet("reservebank", "Reserve Bank", "reservebank.example"),
    DemoOutlet("weather", "Coastal Weather Service", "weather.example"),
    DemoOutlet("health", "Public Health Agency", "publichealth.example"),
    DemoOutlet("court", "Supreme Court", "supremecourt.example"),
    DemoOutlet("university", "University of Lisle", "lisle-university.example"),
    DemoOutlet("observatory", "Hallow Ridge Observatory", "hallowridge-observatory.example"),
    DemoOutlet("norrow", "Norrow Energy", "norrow-energy.example"),
    DemoOutlet("privacy", "Data Protection Authority", "dataprotection.example"),
)


@dataclass(frozen=True)
class DemoPicture:
    key: str
    scene: str
    caption: str
    alt_text: str
    credit: str = "Dateline graphics desk"
    credit_kind: str = "illustration"


PICTURES = (
    DemoPicture(
        "north-quay",
        "harbour",
        "Container cranes at North Quay, where the new deepwater berth will be built.",
        "Illustration of container cranes on a quay at dawn, with fishing boats in the foreground.",
    ),
    DemoPicture(
        "rate-path",
        "chart",
        "The Reserve Bank's main interest rate over four years: a steep climb, then a long plateau.",
        "Illustrated chart with rising bars and a line that climbs and then levels off.",
    ),
    DemoPicture(
        "comet",
        "ridge_night",
        "The new comet as it might look from Hallow Ridge, above the observatory dome.",
        "Illustration of a comet with a long tail over dark mountains and an observatory dome.",
    ),
    DemoPicture(
        "oster-flood",
        "flood",
        "Ferry Row in Oster, where the River Lowen came over the flood wall.",
        "Illustration of a row of houses standing in brown floodwater, with a rescue boat in front.",
    ),
    DemoPicture(
        "budget",
        "parliament",
        "The National Assembly in Velmont at dusk on budget day.",
        "Illustration of a domed parliament building at dusk among city buildings with lit windows.",
    ),
    DemoPicture(
        "ferry-hull",
        "shipyard",
        "A ferry hull on the slipway at Arlen Shipyards.",
        "Illustration of a large white ferry under construction beneath yellow shipyard cranes.",
    ),
    DemoPicture(
        "kestrel-bank",
        "turbines",
        "Turbines of the Kestrel Bank wind farm, 30 kilometres off the coast.",
        "Illustration of white wind turbines standing in a calm blue sea.",
    ),
    DemoPicture(
        "vaudrec-school",
        "schoolhouse",
        "A primary school in Vaudrec, where lessons are taught in French and English.",
        "Illustration of an ochre school building with a clock tower, surrounded by trees.",
    ),
    DemoPicture(
        "ridge-fire",
        "wildfire",
        "Fire on the southern slopes of Hallow Ridge above Eskdale.",
        "Illustration of a line of flames along a dark ridge under an orange, smoky sky.",
    ),
    DemoPicture(
        "dunmoor",
        "fields",
        "Parched fields on the Dunmoor Plain after months with little rain.",
        "Illustration of cracked dry earth and pale furrowed fields under a hot sun, with one tree.",
    ),
    DemoPicture(
        "halcyon",
        "railway",
        "A new Halcyon Rail train approaching on the Oster line.",
        "Illustration of railway tracks running to the horizon at dusk, with a train's headlights in the distance.",
    ),
)
