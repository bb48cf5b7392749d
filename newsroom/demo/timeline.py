"""Four years of dated events for the demo newsroom.

A few events are written out in full because articles report on them; a few
more form yearly or quarterly series (rate decisions, the cup final, the
cycling tour) so that they agree with each other. The rest are assembled from
sentence patterns and interchangeable parts (people, places, companies, bills),
each part carrying the contexts it brings with it.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

SPAN_DAYS = 4 * 365
GENERIC_EVENTS = 172
BUSY_DAYS = 6
EVENTS_PER_BUSY_DAY = 4


@dataclass(frozen=True)
class DemoEvent:
    day: date
    category: str
    summary: str
    headline: str
    tags: tuple[str, ...]
    outlets: tuple[str, ...] = ()
    article: str = ""


@dataclass(frozen=True)
class Part:
    """One interchangeable piece of a sentence and the contexts it brings."""

    value: str | dict
    tags: tuple[str, ...] = ()
    weight: int = 1


def part(value, *tags: str, weight: int = 1) -> Part:
    return Part(value, tags, weight)


def bill(name: str, *tags: str) -> Part:
    slug = name.lower().replace(" ", "-")
    return part(f'<a href="https://assembly.example/bills/{slug}/">{name}</a>', *tags)


@dataclass(frozen=True)
class Pattern:
    category: str
    summary: str
    headline: str
    tags: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    weight: int = 2


POLITICS, CONFLICT, LAW, DISASTERS, ECONOMY = "politics", "conflict", "law", "disasters", "economy"
SCIENCE, HEALTH, CULTURE, SPORT, INTERNATIONAL = "science", "health", "culture", "sport", "international"

# Numbers drawn for a pattern: (lowest, highest, step).
NUMBERS = {
    "yes": (104, 125, 1),
    "no": (38, 76, 1),
    "rebels": (5, 14, 1),
    "turnout": (24, 47, 1),
    "share": (51, 64, 1),
    "minutes": (4, 25, 1),
    "kilos": (40, 900, 10),
    "years": (2, 9, 1),
    "fine": (2, 60, 1),
    "weeks": (5, 11, 1),
    "homes": (40, 380, 10),
    "cm": (20, 90, 5),
    "hectares": (40, 900, 10),
    "crew": (4, 22, 1),
    "days": (2, 9, 1),
    "gust": (95, 160, 5),
    "power_homes": (2_000, 60_000, 500),
    "cars": (3, 14, 1),
    "injured": (3, 19, 1),
    "jobs": (40, 900, 10),
    "pct": (4, 31, 1),
    "mortgage": (5, 7, 1),
    "cases": (6, 60, 1),
    "temp": (31, 38, 1),
    "strike_n": (3, 12, 1),
    "visitors": (20_000, 95_000, 1_000),
    "aid": (5, 40, 1),
    "talk_days": (2, 6, 1),
    "restoration": (3, 7, 1),
    "losses": (5, 9, 1),
    "pups": (180, 420, 10),
    "ridge_years": (11, 38, 1),
}

PARTS: dict[str, tuple[Part, ...]] = {
    "place": (
        part("Port Arlen", "Port Arlen", weight=5),
        part("Velmont", "Velmont", weight=4),
        part("Oster", "Oster", weight=2),
        part("Lisle", "Lisle", weight=2),
        part("Kestrel Bay", "Kestrel Bay", weight=2),
        part("Vaudrec", "Brevance"),
    ),
    "town": (
        part("Oster", "Oster"),
        part("Lisle", "Lisle"),
        part("Kestrel Bay", "Kestrel Bay"),
        part("Vaudrec", "Brevance"),
    ),
    "bill": (
        bill("Coastal Access Bill", "Harbour"),
        bill("Rental Homes Bill", "Housing"),
        bill("Rail Investment Bill", "Rail"),
        bill("Location Data Bill", "Data privacy"),
        bill("Fisheries Management Bill", "Fisheries"),
        bill("Flood Defence Bill", "Floods"),
        bill("Energy Networks Bill", "Energy"),
        bill("Vaccination Records Bill", "Public health"),
        bill("Regional Languages Bill", "Brevance"),
        bill("Electoral Boundaries Bill", "Elections"),
        bill("Wildfire Preparedness Bill", "Wildfires"),
        bill("Water Abstraction Bill", "Drought"),
    ),
    "party": (
        part("Civic Alliance"),
        part("Labour and Land party"),
        part("Green Coast movement"),
    ),
    "seat": (
        part("Port Arlen South", "Port Arlen"),
        part("Velmont East", "Velmont"),
        part("Lisle Central", "Lisle"),
        part("Oster North", "Oster"),
        part("Kestrel Bay and the Islands", "Kestrel Bay"),
        part("Vaudrec West", "Brevance"),
    ),
    "grievance": (
        part("the delay to the Velmont\u2013Oster rail line", "Rail"),
        part("rising rents in the cities", "Housing"),
        part("its handling of the Lowen floods", "Floods"),
        part("hospital waiting lists", "Public health"),
        part("the fishing dispute with Morvane", "Morvane", "Fisheries"),
    ),
    "minister": (
        part("Lena Vogt"),
        part("Rafael Moen"),
        part("Dagny Hollis"),
        part("Petra Nolan"),
        part("Jonas Eklund"),
    ),
    "ministry": (
        part("interior"),
        part("education"),
        part("transport", "Rail"),
        part("environment", "Climate"),
        part("justice", "Courts"),
        part("fisheries", "Fisheries"),
    ),
    "demand": (
        part("lower rents", "Housing"),
        part("faster trains to the capital", "Rail"),
        part("stronger action on climate change", "Climate"),
        part("better flood defences", "Floods"),
        part("higher pay for nurses", "Public health"),
    ),
    "person": (
        part("Ruben Haugland"),
        part("Selma Okonkwo"),
        part("Jakob Sandvik"),
        part("Mirela Costa"),
        part("Freya Nakamura"),
        part("Tariq Bell"),
        part("Ottilie Grange"),
    ),
    "brevance_action": (
        part("publish all of its documents in French and English"),
        part("open a French-language university campus in Vaudrec", "Lisle"),
        part("fund bilingual signs at every railway station in the province", "Rail"),
        part("ask Velmont for control of local train services", "Rail"),
        part("ban new holiday homes in villages where they outnumber residents", "Housing"),
    ),
    "count_word": (part("two"), part("three"), part("four")),
    "cutter": (part("Sentinel"), part("Ardent"), part("Cormorant"), part("Vigil")),
    "system": (
        part("Port Authority's booking system", "Harbour", "Port Arlen"),
        part("national rail ticketing service", "Rail"),
        part("appointment system of Lisle University Hospital", "Public health", "Lisle"),
        part("website of Oster town council", "Oster"),
        part("tax office's online filing service", "Velmont"),
    ),
    "border_post": (
        part("Sarn Bridge", "Oster"),
        part("Hollin Gap"),
        part("the Vaudrec crossing", "Brevance"),
    ),
    "bomb_target": (
        part("the Morvanian consulate in Port Arlen", "Port Arlen"),
        part("a newspaper office in Velmont", "Velmont"),
        part("the regional council building in Vaudrec", "Brevance"),
    ),
    "airspace": (
        part("the Sarn valley", "Oster"),
        part("the Dunmoor Plain"),
        part("the hills north of Vaudrec", "Brevance"),
    ),
    "arson_target": (
        part("mobile phone masts", "Data privacy"),
        part("wind farm substations", "Energy"),
        part("railway signal boxes", "Rail"),
    ),
    "ruling": (
        part(
            {"text": "police need a warrant to read messages on a seized phone", "head": "warrant needed"},
            "Data privacy",
        ),
        part({"text": "councils may not charge for access to public beaches", "head": "beaches must stay free"}),
        part(
            {"text": "the Port Authority must publish its pilotage contracts", "head": "port contracts must be public"},
            "Harbour",
            "Port Arlen",
        ),
        part(
            {
                "text": "pension funds may sell their coal shares without breaching their duty to savers",
                "head": "pension funds may drop coal",
            },
            "Energy",
            "Climate",
        ),
        part(
            {
                "text": "employers must pay staff for time spent in compulsory safety briefings",
                "head": "safety briefings are paid work",
            },
            "Strikes",
        ),
        part(
            {
                "text": "the government acted lawfully when it delayed the Velmont\u2013Oster rail line",
                "head": "rail delay was lawful",
            },
            "Rail",
        ),
    ),
    "cargo": (part("bananas"), part("frozen fish"), part("coffee beans"), part("ceramic tiles"), part("car parts")),
    "case": (
        part(
            {
                "who": "a former council planning officer",
                "crime": "taking bribes from housing developers",
                "head": "Former planning officer",
            },
            "Housing",
        ),
        part(
            {
                "who": "the owner of a chain of care homes",
                "crime": "defrauding residents' families",
                "head": "Care home owner",
            }
        ),
        part(
            {"who": "two men", "crime": "stealing copper cable from the railway", "head": "Cable thieves"},
            "Rail",
        ),
        part(
            {
                "who": "a Tidewell Bank adviser",
                "crime": "taking two million crowns from elderly clients",
                "head": "Bank adviser",
            }
        ),
        part(
            {"who": "the skipper of a trawler", "crime": "falsifying catch records", "head": "Trawler skipper"},
            "Fisheries",
        ),
        part(
            {"who": "a hospital pharmacist", "crime": "selling stolen medicines online", "head": "Pharmacist"},
            "Public health",
        ),
    ),
    "penalty": (
        part(
            {
                "body": "competition authority",
                "company": "Brightwater Foods",
                "offence": "fixing flour prices with two rival millers",
            },
            "Port Arlen",
        ),
        part(
            {
                "body": "data protection authority",
                "company": "Tidewell Bank",
                "offence": "posting customers' statements to the wrong addresses",
            },
            "Data privacy",
        ),
        part(
            {
                "body": "rail regulator",
                "company": "Halcyon Rail",
                "offence": "misleading passengers about refunds",
            },
            "Rail",
        ),
        part(
            {
                "body": "energy regulator",
                "company": "Norrow Energy",
                "offence": "overcharging customers on prepayment meters",
            },
            "Energy",
        ),
        part(
            {
                "body": "Maritime Safety Board",
                "company": "the island ferry operator",
                "offence": "sailing with faulty lifeboats",
            },
            "Harbour",
        ),
    ),
    "acq_role": (
        part("deputy transport minister", "Rail"),
        part("chief executive of Lowen Steel", "Oster"),
        part("finance director of the Port Authority", "Harbour", "Port Arlen"),
    ),
    "charge": (part("fraud"), part("bribery"), part("misconduct in public office")),
    "flood_place": (
        part("Oster", "Oster"),
        part("the Millbank district of Oster", "Oster"),
        part("villages of the lower Lowen valley", "Oster"),
        part("the Carrow district of Port Arlen", "Port Arlen"),
    ),
    "fire_place": (
        part("forest on the southern slopes of Hallow Ridge", "Hallow Ridge", weight=2),
        part("heathland on the Dunmoor Plain", "Drought"),
        part("pine woods in the hills above Vaudrec", "Brevance"),
    ),
    "fire_outcome": (
        part("firefighters bring it under control overnight"),
        part("two hamlets are evacuated as a precaution"),
        part("no one is hurt"),
    ),
    "vessel": (
        part("cargo ship <em>Nordlys Trader</em>"),
        part("trawler <em>Grace Amundsen</em>", "Fisheries"),
        part("fertiliser tanker <em>Sea Meridian</em>", "Harbour"),
        part("island ferry <em>Island Maid</em>"),
    ),
    "derail": (
        part({"place": "Oster", "between": "Oster and Velmont"}, "Oster"),
        part({"place": "Lisle", "between": "Lisle and Port Arlen"}, "Lisle"),
        part({"place": "Vaudrec", "between": "Vaudrec and the Sarn crossing"}, "Brevance"),
    ),
    "storm": (
        part("Agathe"),
        part("Bertil"),
        part("Clemence"),
        part("Dorian"),
        part("Eira"),
        part("Falk"),
        part("Greta"),
        part("Halvard"),
    ),
    "coast": (
        part("Kestrel Bay", "Kestrel Bay"),
        part("Port Arlen and the islands", "Port Arlen"),
        part("the whole coast"),
    ),
    "building": (part("tyre warehouse"), part("recycling plant"), part("paint factory"), part("timber yard")),
    "drought_region": (
        part("the Dunmoor Plain", weight=2),
        part("the eastern valleys"),
        part("Brevance", "Brevance"),
        part("the Lowen valley", "Oster"),
    ),
    "firm": (
        part({"name": "Lowen Steel", "site": "rolling mill in Oster"}, "Oster"),
        part({"name": "Brightwater Foods", "site": "flour mill in Port Arlen"}, "Port Arlen"),
        part({"name": "Kestrel Telecom", "site": "call centre in Lisle"}, "Lisle"),
        part({"name": "Tidewell Bank", "site": "head office in Velmont"}, "Velmont"),
        part({"name": "Meridian Air", "site": "maintenance base at Velmont airport"}, "Velmont"),
        part({"name": "Arlen Shipyards", "site": "repair yard"}, "Arlen Shipyards", "Port Arlen"),
    ),
    "reason": (
        part("weak demand"),
        part("high energy prices", "Energy"),
        part("cheaper imports from Morvane", "Morvane"),
        part("the end of a government contract"),
    ),
    "earner": (
        part({"name": "Tidewell Bank", "driver": "higher interest rates"}, "Interest rates", "Velmont"),
        part({"name": "Norrow Energy", "driver": "record output from its wind farms"}, "Energy"),
        part({"name": "Brightwater Foods", "driver": "higher bread prices"}, "Drought"),
        part({"name": "Arlen Shipyards", "driver": "a full order book"}, "Arlen Shipyards", "Port Arlen"),
        part({"name": "Meridian Air", "driver": "a record year for passengers"}, "Velmont"),
        part({"name": "Kestrel Telecom", "driver": "higher prices for mobile contracts"}, "Lisle"),
    ),
    "gdp_move": (
        part("grew by 0.2 per cent"),
        part("grew by 0.4 per cent"),
        part("grew by 0.7 per cent"),
        part("shrank by 0.1 per cent"),
        part("shrank by 0.3 per cent"),
        part("did not grow at all"),
    ),
    "quarter": (part("first"), part("second"), part("third"), part("fourth")),
    "strike_site": (
        part("Halcyon Rail", "Rail"),
        part("the Port Arlen container terminals", "Harbour", "Port Arlen"),
        part("Lisle's hospitals", "Public health", "Lisle"),
        part("Lowen Steel's Oster works", "Oster"),
        part("the Brightwater flour mills", "Port Arlen"),
        part("Vaudrec's bus company", "Brevance"),
    ),
    "strike_length": (part("24 hours"), part("two days"), part("a week")),
    "strike_issue": (part("pay"), part("pensions"), part("new shift patterns"), part("staff shortages")),
    "launch": (
        part("the research vessel <em>Skerry Explorer</em>, built for the University of Lisle", "Lisle"),
        part("the coastguard cutter <em>Vigilant</em>"),
        part("the cable-laying ship <em>Norrow Spirit</em> for Norrow Energy", "Energy"),
        part("a 120-metre car ferry for the Kestrel Bay route", "Kestrel Bay"),
    ),
    "energy_project": (
        part("a solar farm on the Dunmoor Plain"),
        part("a second offshore wind farm off Kestrel Bay", "Kestrel Bay"),
        part("a battery storage plant at Carrow Point", "Port Arlen"),
        part("a hydrogen pilot plant in Oster", "Oster"),
        part("a pumped-storage scheme on Hallow Ridge", "Hallow Ridge"),
    ),
    "house_move": (
        part("rise by 2.8"),
        part("rise by 4.1"),
        part("rise by 6.3"),
        part("fall by 1.4"),
        part("fall by 0.6"),
    ),
    "discovery": (
        part("a pair of asteroids orbiting each other"),
        part("a supernova in a nearby galaxy"),
        part("a planet orbiting a star 90 light years away"),
        part("the faintest dwarf galaxy yet found"),
        part("a burst of radio waves from a galaxy billions of light years away"),
        part("a double star whose orbit takes 300 years"),
    ),
    "satellite": (
        part("<em>Skerry-1</em>"),
        part("<em>Kittiwake</em>"),
        part("<em>Lowen Sounder</em>"),
        part("<em>Gannet-2</em>"),
    ),
    "launch_site": (
        part("from Morvane's launch site at Kell", "Morvane"),
        part("on a rocket carrying forty small satellites"),
    ),
    "finding": (
        part("herring in the Lowen estuary now spawn three weeks earlier than in the 1990s", "Fisheries", "Climate"),
        part("the peat bogs of the Lowen valley hold more carbon than its forests", "Climate"),
        part("a common soil fungus can break down some kinds of plastic"),
        part("coastal cod have shrunk by a tenth in thirty years", "Fisheries"),
        part("street trees in Velmont cut summer temperatures by up to 3\u00b0C", "Velmont", "Climate"),
        part("children who walk to school in Port Arlen breathe cleaner air", "Port Arlen", "Public health"),
    ),
    "fossil": (
        part("the nearly complete skeleton of a marine reptile"),
        part("a fossilised forest floor crossed by the footprints of early amphibians"),
        part("a mammoth tusk two metres long"),
    ),
    "sea_find": (
        part("a forest drowned at the end of the last ice age"),
        part("the wreck of a steamship lost in 1911", "Harbour"),
        part("a reef of cold-water coral", "Fisheries"),
    ),
    "outbreak": (
        part({"disease": "measles", "advice": "parents to check their children's vaccinations"}),
        part({"disease": "whooping cough", "advice": "pregnant women to get vaccinated"}),
        part({"disease": "food poisoning linked to a wedding buffet", "advice": "guests to see a doctor"}),
        part(
            {
                "disease": "Legionnaires' disease linked to a cooling tower",
                "advice": "building owners to test their water systems",
            }
        ),
    ),
    "beach": (
        part("Carrow Sands in Port Arlen", "Port Arlen"),
        part("the North Strand in Kestrel Bay", "Kestrel Bay"),
    ),
    "pollution_place": (
        part("the Saltings district of Port Arlen", "Port Arlen", "Harbour"),
        part("central Velmont", "Velmont"),
        part("the streets around the Oster steelworks", "Oster"),
    ),
    "climate_target": (
        part("stop burning coal for electricity within eight years", "Energy"),
        part("plant 40 million trees in a decade"),
        part("halve emissions from ferries and fishing boats by 2035", "Harbour", "Fisheries"),
    ),
    "facility": (
        part("a new children's cancer ward"),
        part("the country's first proton therapy centre"),
        part("a mental health crisis unit that never closes"),
    ),
    "film": (
        part("<em>The Winter Orchard</em>"),
        part("<em>Low Tide at Carrow</em>"),
        part("<em>A Room in Vaudrec</em>", "Brevance"),
        part("<em>The Last Ferry</em>", "Harbour"),
        part("<em>Glass Harbour</em>"),
        part("<em>Two Rivers</em>", "Oster"),
    ),
    "prize": (
        part(
            {
                "writer": "Halvor Eng",
                "book": "<em>The Salt Ledger</em>",
                "desc": "a novel about three generations of a fishing family",
            },
            "Fisheries",
            "Kestrel Bay",
        ),
        part(
            {
                "writer": "Maud Achebe-Larsen",
                "book": "<em>What the River Took</em>",
                "desc": "a memoir of the Oster floods",
            },
            "Floods",
            "Oster",
        ),
        part(
            {
                "writer": "Lucien Ferrant",
                "book": "<em>Les Deux Rives</em>",
                "desc": "the first French-language winner in twenty years",
            },
            "Brevance",
        ),
        part(
            {
                "writer": "Nell Okoro",
                "book": "<em>Night Shift</em>",
                "desc": "a collection of stories set in the Port Arlen docks",
            },
            "Port Arlen",
            "Harbour",
        ),
    ),
    "exhibition": (
        part("a retrospective of Agathe Rolin, whose harbour paintings made her name", "Port Arlen"),
        part("an exhibition of sea charts of the coast drawn over four centuries", "Harbour"),
        part("a show of photographs of the Brevance hills", "Brevance"),
        part("its new modern wing after five years of building work"),
    ),
    "festival": (
        part("folk music festival"),
        part("festival of French-language theatre"),
        part("street food festival"),
        part("book fair"),
    ),
    "artefact": (part("ship's bell"), part("brass telescope"), part("chest of silver coins")),
    "wreck": (part("Hester Vane"), part("Old Constance"), part("Marguerite")),
    "team": (
        part("Port Arlen Rovers", "Port Arlen", weight=2),
        part("Velmont Athletic", "Velmont", weight=2),
        part("Oster Steel", "Oster"),
        part("Kestrel Bay United", "Kestrel Bay"),
        part("Lisle City", "Lisle"),
        part("FC Vaudrec", "Brevance"),
    ),
    "score": (
        part("1\u20130"),
        part("2\u20130"),
        part("2\u20131"),
        part("3\u20131"),
        part("3\u20132"),
        part("4\u20130"),
        part("4\u20132"),
    ),
    "medal": (part("gold"), part("silver"), part("bronze")),
    "runner": (
        part("Amina Farah-Lund"),
        part("Kristoffer Vang"),
        part("Lea Moreau"),
        part("Daniel Oyelaran"),
        part("Signe Tollefsen"),
    ),
    "marathon_time": (part("2:08:41"), part("2:11:05"), part("2:09:17"), part("2:24:30"), part("2:26:12")),
    "skier": (part("Ylva Hedman"), part("Matti Rautio"), part("Clara Besson")),
    "tour_town": (part("Oster", "Oster"), part("Kestrel Bay", "Kestrel Bay"), part("Vaudrec", "Brevance")),
    "meeting": (
        part(
            {
                "who": "Morvane's foreign minister, Anton Sarkis",
                "city": "Kell",
                "topic": ("fishing rights in the Sarn estuary", "water from the upper Sarn", "the Halde sandbank"),
            },
            "Morvane",
        ),
        part(
            {
                "who": "the foreign minister of Aldenne",
                "city": "Velmont",
                "topic": ("trade in wind turbine parts", "a new direct ferry route", "student exchanges"),
            },
            "Velmont",
        ),
        part(
            {
                "who": "the foreign minister of Varossa",
                "city": "Port Arlen",
                "topic": ("shipping in the coastal waters", "a joint response to wildfires", "energy trade"),
            },
            "Port Arlen",
        ),
    ),
    "recall_reason": (
        part("expels two diplomats accused of spying"),
        part("detains a Kestrel Bay fishing crew for a week", "Kestrel Bay", "Fisheries"),
        part("announces plans to dam the upper Sarn", "Drought"),
    ),
    "agreement": (
        part("an agreement to share weather radar data", "Climate"),
        part("a treaty on joint firefighting along the border", "Wildfires"),
        part("a deal to link their electricity grids", "Energy"),
        part("an agreement on train services between Vaudrec and Kell", "Rail", "Brevance"),
    ),
    "aid_country": (part("Aldenne"), part("Varossa"), part("the Serin Islands")),
    "aid_disaster": (
        part("an earthquake"),
        part("severe flooding", "Floods"),
        part("a cyclone"),
        part("a failed harvest", "Drought"),
    ),
    "talks_outcome": (
        part("break up without agreement"),
        part("end with a deal on next year's quotas"),
        part("are adjourned until after the Morvanian election", "Elections"),
    ),
    "talks_city": (part("Kell"), part("Velmont", "Velmont"), part("Vaudrec", "Brevance")),
}

PATTERNS = (
    # Politics and elections
    Pattern(
        POLITICS,
        "The National Assembly passes the {bill} by {yes} votes to {no}.",
        "Assembly passes the {bill}",
        ("National Assembly", "Velmont"),
        ("assembly", "courier"),
        weight=4,
    ),
    Pattern(
        POLITICS,
        "The National Assembly rejects the {bill} after {rebels} members of the governing Civic Alliance vote with "
        "the opposition.",
        "Alliance rebels sink the {bill}",
        ("National Assembly",),
        ("courier",),
    ),
    Pattern(
        POLITICS,
        "The {party} wins the {seat} by-election, taking the seat from the {party2} on a turnout of {turnout} "
        "per cent.",
        "{party} takes {seat}",
        ("Elections",),
        weight=3,
    ),
    Pattern(
        POLITICS,
        "Opposition leader Mara Lindell calls for a vote of no confidence in the government over {grievance}.",
        "Lindell calls for a no-confidence vote",
        ("National Assembly",),
        ("courier",),
    ),
    Pattern(
        POLITICS,
        "Prime Minister Tomas Ferrand moves {minister} to the {ministry} ministry in a cabinet reshuffle.",
        "Ferrand reshuffles his cabinet",
        ("Velmont",),
        ("courier",),
        weight=1,
    ),
    Pattern(
        POLITICS,
        "Thousands march through {place} calling for {demand}.",
        "Marchers in {place} call for {demand}",
        weight=3,
    ),
    Pattern(
        POLITICS,
        "Voters in {town} elect {person} as mayor with {share} per cent of the vote in a run-off.",
        "{person} elected mayor of {town}",
        ("Elections",),
    ),
    Pattern(
        POLITICS,
        'The <a href="https://brevance-region.example/council/">regional council of Brevance</a> votes to '
        "{brevance_action}.",
        "Brevance council votes to {brevance_action}",
        ("Brevance",),
        ("veilleur",),
    ),
    Pattern(
        POLITICS,
        "The electoral commission publishes new constituency boundaries that give {town} {count_word} more seats in "
        "the National Assembly.",
        "New boundaries give {town} more seats",
        ("Elections", "National Assembly"),
        weight=1,
    ),
    # Armed conflicts and attacks
    Pattern(
        CONFLICT,
        "Morvanian patrol boats detain {count_word} trawlers from Kestrel Bay in the disputed waters of the Sarn "
        "estuary.",
        "Morvane detains Kestrel Bay trawlers",
        ("Morvane", "Fisheries", "Kestrel Bay"),
        ("kestrel", "morvane"),
    ),
    Pattern(
        CONFLICT,
        "The coastguard cutter <em>{cutter}</em> and a Morvanian patrol vessel collide near the Halde sandbank; no "
        "one is hurt.",
        "Coastguard cutter collides with Morvanian patrol boat",
        ("Morvane",),
        ("morvane",),
        weight=1,
    ),
    Pattern(
        CONFLICT,
        "The {system} is knocked offline by a cyberattack that officials blame on a criminal group demanding a ransom.",
        "Cyberattack takes down the {system}",
        ("Data privacy",),
    ),
    Pattern(
        CONFLICT,
        "Troops are sent to reinforce the border at {border_post} after Morvane moves armoured units closer to "
        "the Sarn.",
        "Troops reinforce the border at {border_post}",
        ("Morvane",),
        ("morvane",),
        weight=1,
    ),
    Pattern(
        CONFLICT,
        "A parcel bomb sent to {bomb_target} is made safe by army experts; nobody is hurt.",
        "Parcel bomb made safe at {bomb_target}",
        weight=1,
    ),
    Pattern(
        CONFLICT,
        'The defence ministry <a href="https://defence.example/statements/">says</a> a Morvanian military drone '
        "crossed into the country's airspace over {airspace} for {minutes} minutes before turning back.",
        "Morvanian drone crossed the border, ministry says",
        ("Morvane",),
    ),
    Pattern(
        CONFLICT,
        "Police in {place} arrest {count_word} people suspected of planning arson attacks on {arson_target}.",
        "Arrests in {place} over planned arson attacks",
    ),
    # Law and crime
    Pattern(
        LAW,
        'The <a href="https://supremecourt.example/judgments/">Supreme Court</a> rules that {ruling[text]}.',
        "Supreme Court: {ruling[head]}",
        ("Courts",),
        ("court", "courier"),
        weight=3,
    ),
    Pattern(
        LAW,
        "Customs officers at Port Arlen seize {kilos} kilograms of cocaine hidden in a shipment of {cargo}.",
        "Cocaine found in a shipment of {cargo} at Port Arlen",
        ("Port Arlen", "Harbour"),
        ("gazette",),
        weight=3,
    ),
    Pattern(
        LAW,
        "A court in {place} sentences {case[who]} to {years} years in prison for {case[crime]}.",
        "{case[head]} jailed for {years} years",
        ("Courts",),
        weight=3,
    ),
    Pattern(
        LAW,
        "The {penalty[body]} fines {penalty[company]} {fine} million crowns for {penalty[offence]}.",
        "{penalty[company]} fined {fine} million crowns",
        (),
        ("ledger",),
    ),
    Pattern(
        LAW,
        "A jury in Velmont acquits a former {acq_role} of {charge} after a {weeks}-week trial.",
        "Former {acq_role} acquitted",
        ("Courts", "Velmont"),
        weight=1,
    ),
    # Disasters and accidents
    Pattern(
        DISASTERS,
        "Heavy rain floods {homes} homes in {flood_place} as the River Lowen rises {cm} centimetres above its "
        "warning level.",
        "Lowen floods {homes} homes in {flood_place}",
        ("Floods",),
        ("weather", "radio"),
        weight=3,
    ),
    Pattern(
        DISASTERS,
        "A wildfire burns {hectares} hectares of {fire_place}; {fire_outcome}.",
        "Wildfire burns {hectares} hectares of {fire_place}",
        ("Wildfires",),
        ("herald",),
        weight=3,
    ),
    Pattern(
        DISASTERS,
        "The {vessel} runs aground off Kestrel Bay in a storm; the coastguard lifts its {crew} crew to safety by "
        "helicopter.",
        "{vessel} runs aground off Kestrel Bay",
        ("Kestrel Bay",),
        ("kestrel",),
    ),
    Pattern(
        DISASTERS,
        "A freight train derails near {derail[place]}, closing the line between {derail[between]} for {days} days.",
        "Freight train derails near {derail[place]}",
        ("Rail",),
    ),
    Pattern(
        DISASTERS,
        "Storm {storm} brings gusts of up to {gust} km/h to {coast}, cutting power to {power_homes} homes.",
        "Storm {storm} cuts power to {power_homes} homes",
        ("Climate",),
        ("weather", "radio"),
        weight=3,
    ),
    Pattern(
        DISASTERS,
        "A fire at a {building} in {place} sends a plume of black smoke over the city, and residents are told to "
        "keep their windows closed.",
        "Fire at a {building} in {place}",
    ),
    Pattern(
        DISASTERS,
        'The <a href="https://weather.example/drought/">Coastal Weather Service</a> declares a drought in '
        "{drought_region} after {weeks} weeks without significant rain.",
        "Drought declared in {drought_region}",
        ("Drought", "Climate"),
        ("weather",),
    ),
    Pattern(
        DISASTERS,
        "A landslide on the Hallow Ridge road traps {cars} cars; all of their occupants are rescued unhurt.",
        "Landslide traps cars on the Hallow Ridge road",
        ("Hallow Ridge",),
        ("herald",),
        weight=1,
    ),
    Pattern(
        DISASTERS,
        "A gas explosion destroys a block of flats in {place}, injuring {injured} people.",
        "Gas explosion destroys flats in {place}",
        weight=1,
    ),
    # Business and economy
    Pattern(
        ECONOMY,
        "{firm[name]} announces {jobs} job cuts at its {firm[site]}, blaming {reason}.",
        "{firm[name]} to cut {jobs} jobs",
        (),
        ("ledger",),
        weight=3,
    ),
    Pattern(
        ECONOMY,
        "{earner[name]} reports a {pct} per cent rise in annual profit, helped by {earner[driver]}.",
        "{earner[name]} profit up {pct} per cent",
        (),
        ("ledger",),
    ),
    Pattern(
        ECONOMY,
        'The <a href="https://statistics.example/economy/">National Statistics Office</a> says the economy '
        "{gdp_move} in the {quarter} quarter.",
        "Economy {gdp_move} in the {quarter} quarter",
        ("Interest rates",),
        ("ledger",),
    ),
    Pattern(
        ECONOMY,
        "Workers at {strike_site} strike for {strike_length} over {strike_issue}.",
        "Strike at {strike_site} over {strike_issue}",
        ("Strikes",),
        weight=3,
    ),
    Pattern(
        ECONOMY,
        "Arlen Shipyards launches {launch}.",
        "Arlen Shipyards launches {launch}",
        ("Arlen Shipyards", "Port Arlen"),
        ("gazette",),
    ),
    Pattern(
        ECONOMY,
        "Norrow Energy wins planning approval for {energy_project}.",
        "Norrow Energy wins approval for {energy_project}",
        ("Energy",),
        ("ledger", "norrow"),
    ),
    Pattern(
        ECONOMY,
        "Tidewell Bank raises its standard mortgage rate to {mortgage} per cent.",
        "Tidewell raises mortgage rate to {mortgage} per cent",
        ("Interest rates", "Housing"),
        ("ledger",),
        weight=1,
    ),
    Pattern(
        ECONOMY,
        "House prices in {place} {house_move} per cent in a year, according to the National Statistics Office.",
        "House prices in {place} {house_move} per cent",
        ("Housing",),
        ("ledger",),
    ),
    # Science and technology
    Pattern(
        SCIENCE,
        'Astronomers at the Hallow Ridge Observatory <a href="https://hallowridge-observatory.example/news/">'
        "report</a> {discovery}.",
        "Hallow Ridge astronomers report {discovery}",
        ("Hallow Ridge", "Space"),
        ("observatory", "herald"),
        weight=3,
    ),
    Pattern(
        SCIENCE,
        "The {satellite} satellite, built by students at the University of Lisle, is launched {launch_site}.",
        "Lisle students' satellite launched",
        ("Space", "Lisle"),
        ("university", "review"),
    ),
    Pattern(
        SCIENCE,
        'Researchers at the University of Lisle <a href="https://lisle-university.example/research/">publish a '
        "study</a> showing that {finding}.",
        "Study finds {finding}",
        ("Lisle",),
        ("university", "review"),
        weight=3,
    ),
    Pattern(
        SCIENCE,
        "Kestrel Telecom switches on a fibre broadband network that reaches every home in {place}.",
        "Fibre broadband reaches every home in {place}",
        (),
        ("ledger",),
        weight=1,
    ),
    Pattern(
        SCIENCE,
        "Quarry workers near Oster uncover {fossil}.",
        "Quarry workers near Oster uncover {fossil}",
        ("Oster",),
        weight=1,
    ),
    Pattern(
        SCIENCE,
        "A research ship from the University of Lisle maps {sea_find} on the seabed off Kestrel Bay.",
        "Researchers map {sea_find} off Kestrel Bay",
        ("Kestrel Bay", "Lisle"),
        ("kestrel", "university"),
    ),
    # Health and environment
    Pattern(
        HEALTH,
        'The <a href="https://publichealth.example/outbreaks/">Public Health Agency</a> reports {cases} cases of '
        "{outbreak[disease]} in {place} and urges {outbreak[advice]}.",
        "{cases} cases of {outbreak[disease]} in {place}",
        ("Public health",),
        ("health",),
        weight=3,
    ),
    Pattern(
        HEALTH,
        "Beaches at {beach} close after sewage overflows into the sea during heavy rain.",
        "Sewage closes beaches at {beach}",
        ("Public health",),
    ),
    Pattern(
        HEALTH,
        "Air pollution in {pollution_place} breaks the legal limit for {days} days in a row.",
        "Air pollution over the legal limit in {pollution_place}",
        ("Public health",),
    ),
    Pattern(
        HEALTH,
        "A heatwave sends temperatures to {temp}\u00b0C in {place}, a record for the month.",
        "Record heat in {place}",
        ("Climate",),
        ("weather",),
    ),
    Pattern(
        HEALTH,
        "Nurses in {place} accept a pay rise of {pct} per cent over two years, ending a dispute that led to "
        "{strike_n} days of strikes.",
        "Nurses in {place} accept pay offer",
        ("Public health", "Strikes"),
    ),
    Pattern(
        HEALTH,
        "The government sets a legally binding target to {climate_target}.",
        "Government sets target to {climate_target}",
        ("Climate",),
        ("courier",),
        weight=1,
    ),
    Pattern(
        HEALTH,
        "Lisle University Hospital opens {facility}.",
        "Lisle hospital opens {facility}",
        ("Public health", "Lisle"),
        ("review",),
    ),
    Pattern(
        HEALTH,
        "Grey seals on the Halde sandbank produce a record {pups} pups, according to a count by the University of "
        "Lisle.",
        "Record year for Halde seal pups",
        ("Lisle",),
        ("university",),
        weight=1,
    ),
    # Arts and culture
    Pattern(
        CULTURE,
        "{film} wins the Golden Anchor for best film at the Port Arlen Film Festival.",
        "{film} wins the Golden Anchor",
        ("Film festival", "Port Arlen"),
        ("gazette",),
    ),
    Pattern(
        CULTURE,
        "The Lowen Book Prize goes to {prize[writer]} for {prize[book]}, {prize[desc]}.",
        "{prize[writer]} wins the Lowen Book Prize",
        (),
        ("review",),
    ),
    Pattern(
        CULTURE,
        "The National Gallery in Velmont opens {exhibition}.",
        "National Gallery opens {exhibition}",
        ("Velmont",),
        ("courier",),
    ),
    Pattern(
        CULTURE,
        "The Lisle Opera House reopens after a {restoration}-year restoration with a performance of "
        "<em>The Ferryman's Daughter</em>.",
        "Lisle Opera House reopens",
        ("Lisle",),
        ("review",),
        weight=1,
    ),
    Pattern(
        CULTURE,
        "The {festival} in Vaudrec draws a record {visitors} visitors.",
        "Record crowds at Vaudrec {festival}",
        ("Brevance",),
        ("veilleur",),
    ),
    Pattern(
        CULTURE,
        "A {artefact} recovered from the wreck of the <em>{wreck}</em> goes on display at the Port Arlen Maritime "
        "Museum.",
        "{artefact} from the {wreck} on display",
        ("Port Arlen", "Harbour"),
        ("gazette",),
        weight=1,
    ),
    # Sport
    Pattern(
        SPORT,
        "{team} beat {team2} {score} to go top of the league.",
        "{team} go top after beating {team2}",
        ("Football",),
        ("radio",),
        weight=4,
    ),
    Pattern(
        SPORT,
        "{team} sack their manager after {losses} defeats in a row.",
        "{team} sack their manager",
        ("Football",),
        ("radio",),
        weight=1,
    ),
    Pattern(
        SPORT,
        "The national rowing eight, which trains on the river at Lisle, wins {medal} at the world championships.",
        "Rowing eight wins {medal}",
        ("Lisle",),
        ("review",),
        weight=1,
    ),
    Pattern(
        SPORT,
        "{runner} wins the Port Arlen Marathon in {marathon_time}.",
        "{runner} wins the Port Arlen Marathon",
        ("Port Arlen",),
        ("gazette",),
    ),
    Pattern(
        SPORT,
        "{skier} wins the downhill at the Hallow Ridge ski races, the first home win there in {ridge_years} years.",
        "Home win in the Hallow Ridge downhill",
        ("Hallow Ridge",),
        ("herald",),
        weight=1,
    ),
    Pattern(
        SPORT,
        "The organisers of the Tour of the Ridge announce that next year's race will start in {tour_town}.",
        "Tour of the Ridge to start in {tour_town}",
        ("Cycling",),
        ("herald",),
        weight=1,
    ),
    # International relations
    Pattern(
        INTERNATIONAL,
        "The foreign minister, Ines Calder, meets {meeting[who]} in {meeting[city]} to discuss {meeting[topic]}.",
        "Calder meets {meeting[who]}",
        (),
        ("courier", "morvane"),
        weight=3,
    ),
    Pattern(
        INTERNATIONAL,
        "The government recalls its ambassador from Kell after Morvane {recall_reason}.",
        "Ambassador recalled from Kell",
        ("Morvane",),
        ("morvane", "courier"),
        weight=1,
    ),
    Pattern(
        INTERNATIONAL,
        "The government and Morvane sign {agreement}.",
        "Government and Morvane sign {agreement}",
        ("Morvane",),
        ("morvane",),
    ),
    Pattern(
        INTERNATIONAL,
        "The government pledges {aid} million crowns in aid to {aid_country} after {aid_disaster}.",
        "{aid} million crowns in aid for {aid_country}",
        ("Velmont",),
        ("courier",),
    ),
    Pattern(
        INTERNATIONAL,
        "Talks with Morvane on fishing rights in the Sarn estuary {talks_outcome} after {talk_days} days in "
        "{talks_city}.",
        "Sarn fishing talks {talks_outcome}",
        ("Morvane", "Fisheries"),
        ("morvane", "kestrel"),
    ),
)

# Outlets that cover a context most closely, used when a pattern names none.
LOCAL_OUTLETS = {
    "Port Arlen": "gazette",
    "Velmont": "courier",
    "Kestrel Bay": "kestrel",
    "Lisle": "review",
    "Brevance": "veilleur",
    "Hallow Ridge": "herald",
    "Morvane": "morvane",
    "Oster": "radio",
}
NATIONAL_OUTLETS = ("radio", "courier", "gazette", "ledger")


@dataclass(frozen=True)
class Anchor:
    # (article key, days from that article's publication): the event moves with the article it belongs to.
    near: tuple[str, int]
    category: str
    summary: str
    headline: str
    tags: tuple[str, ...]
    outlets: tuple[str, ...] = ()
    # Whether the event and the article link to each other.
    link: bool = False


# Events that articles report on, or that the same stories lead to: written out so the two agree.
ANCHORS = (
    Anchor(
        ("north-quay", 0),
        POLITICS,
        "Port Arlen city council approves a deepwater berth at North Quay by 31 votes to 18, with a ban on lorries in "
        "the Saltings at night.",
        "Council approves the North Quay berth",
        ("Port Arlen", "Harbour"),
        ("gazette", "radio"),
        link=True,
    ),
    Anchor(
        ("comet", 0),
        SCIENCE,
        'Astronomers at the <a href="https://hallowridge-observatory.example/">Hallow Ridge Observatory</a> announce '
        "the discovery of a comet, the first found from the ridge in more than thirty years.",
        "Hallow Ridge astronomers discover a comet",
        ("Hallow Ridge", "Space"),
        ("herald", "observatory"),
        link=True,
    ),
    Anchor(
        ("brevance-schools", 0),
        POLITICS,
        "The regional council of Brevance votes 41 to 22 to keep teaching in both French and English in its primary "
        "schools.",
        "Brevance keeps its bilingual schools",
        ("Brevance",),
        ("veilleur", "courier"),
        link=True,
    ),
    Anchor(
        ("ferries", 0),
        ECONOMY,
        "Arlen Shipyards wins a 900-million-crown order for six battery-powered ferries for the coastal routes.",
        "Arlen Shipyards wins ferry order",
        ("Arlen Shipyards", "Port Arlen", "Energy"),
        ("ledger",),
        link=True,
    ),
    Anchor(
        ("oster-flood", -1),
        DISASTERS,
        "The River Lowen bursts its banks in Oster, flooding about 600 homes in Millbank and Ferry Row; some 1,400 "
        "people spend the night in schools and sports halls.",
        "Lowen floods 600 homes in Oster",
        ("Floods", "Oster", "Climate"),
        ("radio", "weather"),
        link=True,
    ),
    Anchor(
        ("oster-flood", 0),
        ECONOMY,
        "Lowen Steel halts production at its Oster rolling mill after floodwater reaches an electrical substation.",
        "Floods halt Lowen Steel's rolling mill",
        ("Oster", "Floods"),
        ("ledger",),
    ),
    Anchor(
        ("oster-flood", 0),
        POLITICS,
        "The environment minister, Lena Vogt, visits Oster and promises a review of flood defences and emergency "
        "grants of up to 5,000 crowns per household.",
        "Minister promises Oster flood review",
        ("Floods", "Oster"),
        ("courier",),
    ),
    Anchor(
        ("by-elections", -1),
        POLITICS,
        "The Civic Alliance holds Velmont North but loses Oster Central to Labour and Land and Kestrel Bay to the "
        "Green Coast movement in three by-elections.",
        "Alliance loses two of three by-elections",
        ("Elections", "Velmont", "Oster", "Kestrel Bay"),
        ("courier", "radio"),
        link=True,
    ),
    Anchor(
        ("rent-freeze", 0),
        LAW,
        'The <a href="https://supremecourt.example/judgments/">Supreme Court</a> strikes down Velmont\'s two-year '
        "freeze on private rents, ruling that only the National Assembly can impose rent controls.",
        "Supreme Court strikes down Velmont's rent freeze",
        ("Courts", "Housing", "Velmont"),
        ("court", "courier"),
        link=True,
    ),
    Anchor(
        ("budget", 0),
        POLITICS,
        "The finance minister, Oskar Brandt, presents a budget that puts 4.2 billion crowns into housing and delays "
        "the Velmont\u2013Oster high-speed line by three years.",
        "Budget favours housing and delays the rail line",
        ("National Assembly", "Housing", "Rail", "Velmont"),
        ("assembly", "courier"),
        link=True,
    ),
    Anchor(
        ("strike", 0),
        ECONOMY,
        "About 2,000 dockworkers at Port Arlen walk out over a new night-shift rota, leaving ships queuing off the "
        "harbour.",
        "Dock strike begins in Port Arlen",
        ("Strikes", "Harbour", "Port Arlen"),
        ("gazette",),
        link=True,
    ),
    Anchor(
        ("strike-ends", 0),
        ECONOMY,
        "Port Arlen dockworkers vote to accept a deal limiting crane drivers to three night shifts in a row, ending "
        "an eight-day strike.",
        "Dockers accept deal, ending the strike",
        ("Strikes", "Harbour", "Port Arlen"),
        ("gazette", "ledger"),
        link=True,
    ),
    Anchor(
        ("measles", 0),
        HEALTH,
        "Lisle opens free vaccination clinics in schools and libraries after 34 cases of measles are confirmed since "
        "the start of the school year.",
        "Lisle opens measles vaccination clinics",
        ("Public health", "Lisle"),
        ("health", "review"),
        link=True,
    ),
    Anchor(
        ("wind-farm", 0),
        SCIENCE,
        "The first 12 turbines of the Kestrel Bank offshore wind farm send power to the national grid.",
        "Kestrel Bank wind farm sends its first power",
        ("Energy", "Kestrel Bay", "Climate"),
        ("kestrel", "norrow"),
        link=True,
    ),
    Anchor(
        ("kestrel-telecom", 0),
        LAW,
        "The data protection authority fines Kestrel Telecom 48 million crowns for keeping records of its "
        "customers' locations for up to seven years.",
        "Kestrel Telecom fined 48 million crowns",
        ("Data privacy",),
        ("privacy", "ledger"),
        link=True,
    ),
    Anchor(
        ("cod-quota", 0),
        ECONOMY,
        "Kestrel Bay fishers accept a 25 per cent cut in their cod quota in return for a guaranteed minimum price.",
        "Kestrel Bay fishers accept cod quota cut",
        ("Fisheries", "Kestrel Bay"),
        ("kestrel",),
        link=True,
    ),
    Anchor(
        ("sarn-crossing", 0),
        INTERNATIONAL,
        "The government and Morvane agree to reopen the Sarn crossing to lorries after an 18-month closure, with "
        "joint customs checks on the Morvane side.",
        "Sarn crossing to reopen to lorries",
        ("Morvane", "Velmont", "Oster"),
        ("morvane", "courier"),
        link=True,
    ),
    Anchor(
        ("halcyon", -7),
        ECONOMY,
        "Halcyon Rail's new electric trains enter service between Oster and Port Arlen.",
        "New trains enter service on the Oster line",
        ("Rail", "Oster", "Port Arlen"),
        ("gazette",),
        link=True,
    ),
    Anchor(
        ("salt-line", 0),
        CULTURE,
        "<em>The Salt Line</em>, shot in Kestrel Bay with a cast of working fishers, opens the 40th Port Arlen Film "
        "Festival.",
        "The Salt Line opens the film festival",
        ("Film festival", "Port Arlen", "Kestrel Bay"),
        ("gazette",),
        link=True,
    ),
    Anchor(
        ("dunmoor", -2),
        DISASTERS,
        "The Coastal Weather Service declares a drought on the Dunmoor Plain as the wheat harvest comes in about a "
        "third below normal.",
        "Drought declared on the Dunmoor Plain",
        ("Drought", "Climate"),
        ("weather", "ledger"),
        link=True,
    ),
    Anchor(
        ("wildfires", 0),
        DISASTERS,
        "About 900 people are evacuated from Eskdale and Upper Fenwick as wildfires spread across the southern "
        "slopes of Hallow Ridge.",
        "Villages evacuated as Hallow Ridge fires spread",
        ("Wildfires", "Hallow Ridge", "Climate"),
        ("herald",),
        link=True,
    ),
    Anchor(
        ("wildfires", 3),
        DISASTERS,
        "Firefighters contain the Hallow Ridge wildfires as cooler weather arrives, and the people of Eskdale return "
        "home.",
        "Hallow Ridge fires contained",
        ("Wildfires", "Hallow Ridge"),
        ("herald", "radio"),
    ),
    Anchor(
        ("tour-of-the-ridge", 6),
        SPORT,
        "Anneli Sund of Eskdale wins the Tour of the Ridge with a solo attack on the summit climb, the first local "
        "winner in the race's history.",
        "Anneli Sund wins the Tour of the Ridge",
        ("Cycling", "Hallow Ridge"),
        ("herald",),
        link=True,
    ),
    Anchor(
        ("tour-of-the-ridge", 6 - 365),
        SPORT,
        "Jonas Brekke of the Tidewell team wins the Tour of the Ridge by 41 seconds after a wet final stage into "
        "Lisle.",
        "Brekke wins the Tour of the Ridge",
        ("Cycling", "Lisle"),
        ("herald",),
    ),
    Anchor(
        ("tour-of-the-ridge", 6 - 2 * 365),
        SPORT,
        "Matteo Varga wins the Tour of the Ridge on the final day, overturning a 12-second deficit in the time trial "
        "around Oster.",
        "Varga snatches the Tour of the Ridge",
        ("Cycling", "Oster"),
        ("herald",),
    ),
    Anchor(
        ("tour-of-the-ridge", 6 - 3 * 365),
        SPORT,
        "Organisers shorten the last stage of the Tour of the Ridge after a landslide blocks the mountain road; Jonas "
        "Brekke takes the overall win.",
        "Shortened Tour of the Ridge goes to Brekke",
        ("Cycling", "Hallow Ridge"),
        ("herald",),
    ),
    Anchor(
        ("coast-cup", -1),
        SPORT,
        "Port Arlen Rovers beat Velmont Athletic 2\u20131 after extra time to win the Coast Cup, their first major "
        "trophy in 27 years.",
        "Rovers win the Coast Cup",
        ("Football", "Port Arlen", "Velmont"),
        ("gazette", "radio"),
        link=True,
    ),
    Anchor(
        ("coast-cup", -1 - 365),
        SPORT,
        "Velmont Athletic beat Oster Steel 1\u20130 in the Coast Cup final with a penalty in the last minute.",
        "Late penalty wins the Coast Cup for Velmont",
        ("Football", "Velmont", "Oster"),
        ("courier", "radio"),
    ),
    Anchor(
        ("coast-cup", -1 - 2 * 365),
        SPORT,
        "Lisle City win the Coast Cup for the first time, beating Port Arlen Rovers 3\u20131 in the final.",
        "Lisle City win the Coast Cup",
        ("Football", "Lisle", "Port Arlen"),
        ("review", "radio"),
    ),
    Anchor(
        ("coast-cup", -1 - 3 * 365),
        SPORT,
        "Kestrel Bay United win the Coast Cup on penalties after a goalless final against Velmont Athletic.",
        "Kestrel Bay United win the Coast Cup on penalties",
        ("Football", "Kestrel Bay", "Velmont"),
        ("kestrel", "radio"),
    ),
)

# The Reserve Bank's main rate at successive decisions, oldest first; the last
# decision is the one the rates article reports.
RATE_PATH = (0.75, 1.25, 1.75, 2.5, 3.25, 3.75, 4.25, 4.5, 4.5, 4.25, 4.0, 3.75, 3.75, 3.75, 3.75, 3.75)
RATE_DECISION_WEEKS = 12
RATE_ARTICLE = "rates-hold"

_STEP_WORDS = {0.25: "a quarter of a point", 0.5: "half a point", 0.75: "three-quarters of a point"}


def _rate(value: float) -> str:
    return f"{value:g}"


def rate_decisions(newest: date) -> list[DemoEvent]:
    """Every rate decision, ending with the one reported on ``newest``; decisions fall on the same weekday."""
    events = []
    previous = RATE_PATH[0] - 0.25
    peak = max(RATE_PATH)
    last = len(RATE_PATH) - 1
    for index, rate in enumerate(RATE_PATH):
        day = newest - timedelta(weeks=(last - index) * RATE_DECISION_WEEKS)
        link = f'<a href="https://reservebank.example/monetary-policy/{day:%Y-%m-%d}/">Reserve Bank</a>'
        step = _STEP_WORDS.get(round(abs(rate - previous), 2), "")
        if rate > previous:
            note = ", its highest level in fifteen years" if rate == peak and previous < peak else ""
            note = note or (", the first rise in six years" if index == 0 else "")
            summary = f"The {link} raises its main interest rate by {step} to {_rate(rate)} per cent{note}."
            headline = f"Reserve Bank raises rates to {_rate(rate)} per cent"
        elif rate < previous:
            first_cut = not any(RATE_PATH[i] < RATE_PATH[i - 1] for i in range(1, index))
            note = ", its first cut since it began raising rates" if first_cut else ""
            summary = f"The {link} cuts its main interest rate by {step} to {_rate(rate)} per cent{note}."
            headline = f"Reserve Bank cuts rates to {_rate(rate)} per cent"
        else:
            summary = f"The {link} holds its main interest rate at {_rate(rate)} per cent."
            headline = f"Reserve Bank holds rates at {_rate(rate)} per cent"
        events.append(
            DemoEvent(
                day=day,
                category=ECONOMY,
                summary=summary,
                headline=headline,
                tags=("Interest rates", "Velmont"),
                outlets=("reservebank", "ledger"),
                article=RATE_ARTICLE if index == last else "",
            )
        )
        previous = rate
    return events


_SMALL_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _number(value: int) -> str:
    """House style: words below ten, digits with thousands separators above."""
    return _SMALL_NUMBERS[value] if value < 10 else f"{value:,}"


_FORMATTER = string.Formatter()
_TRAILING_DIGITS = re.compile(r"\d+$")


def _field_roots(*templates: str) -> list[str]:
    roots: list[str] = []
    for template in templates:
        for _, name, _, _ in _FORMATTER.parse(template):
            if name:
                root = re.split(r"[\[.]", name, maxsplit=1)[0]
                if root not in roots:
                    roots.append(root)
    return roots


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isalpha() else text


@dataclass
class _Filled:
    summary: str
    headline: str
    tags: list[str] = field(default_factory=list)


def fill(pattern: Pattern, rng: random.Random) -> _Filled:
    """One sentence from a pattern, with the contexts its parts bring."""
    values: dict[str, object] = {}
    tags = list(pattern.tags)
    chosen: dict[str, set[int]] = {}
    for root in _field_roots(pattern.summary, pattern.headline):
        if root in NUMBERS:
            low, high, step = NUMBERS[root]
            values[root] = _number(rng.randrange(low, high + 1, step))
            continue
        pool_name = root if root in PARTS else _TRAILING_DIGITS.sub("", root)
        pool = PARTS[pool_name]
        taken = chosen.setdefault(pool_name, set())
        candidates = [i for i in range(len(pool)) if i not in taken]
        index = rng.choices(candidates, weights=[pool[i].weight for i in candidates])[0]
        taken.add(index)
        item = pool[index]
        value = item.value
        if isinstance(value, dict):
            value = {k: rng.choice(v) if isinstance(v, tuple) else v for k, v in value.items()}
        values[root] = value
        tags.extend(item.tags)
    summary = _capitalise(pattern.summary.format(**values))
    headline = _capitalise(pattern.headline.format(**values))
    return _Filled(summary, headline, list(dict.fromkeys(tags)))


def outlets_for(tags: tuple[str, ...] | list[str], preferred: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
    """One to three outlets: those that cover the story most closely first."""
    ranked = list(preferred) + [LOCAL_OUTLETS[t] for t in tags if t in LOCAL_OUTLETS]
    ranked += rng.sample(NATIONAL_OUTLETS, len(NATIONAL_OUTLETS))
    unique = list(dict.fromkeys(ranked))
    return tuple(unique[: rng.choice((1, 2, 2, 3))])


def build_events(*, today: date, article_dates: dict[str, date | None], rng: random.Random) -> list[DemoEvent]:
    """Every demo event: the written ones next to their articles, the rest spread over four years to yesterday."""
    events = [
        DemoEvent(
            day=article_dates[a.near[0]] + timedelta(days=a.near[1]),
            category=a.category,
            summary=a.summary,
            headline=a.headline,
            tags=a.tags,
            outlets=a.outlets,
            article=a.near[0] if a.link else "",
        )
        for a in ANCHORS
    ]
    events += rate_decisions(article_dates[RATE_ARTICLE])
    seen = {e.summary for e in events}

    busy = rng.sample(range(2, SPAN_DAYS), BUSY_DAYS)
    offsets = [d for d in busy for _ in range(EVENTS_PER_BUSY_DAY)]
    offsets += [rng.randint(1, SPAN_DAYS) for _ in range(GENERIC_EVENTS - len(offsets))]
    weights = [p.weight for p in PATTERNS]
    for days_ago in offsets:
        for _ in range(50):
            pattern = rng.choices(PATTERNS, weights=weights)[0]
            filled = fill(pattern, rng)
            if filled.summary not in seen and filled.tags:
                break
        seen.add(filled.summary)
        events.append(
            DemoEvent(
                day=today - timedelta(days=days_ago),
                category=pattern.category,
                summary=filled.summary,
                headline=filled.headline,
                tags=tuple(filled.tags),
                outlets=outlets_for(filled.tags, pattern.outlets, rng),
            )
        )
    events.sort(key=lambda e: e.day)
    return events
