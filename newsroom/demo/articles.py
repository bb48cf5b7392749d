"""The demo newsroom's articles: news, analysis, opinion and editorials.

Dates are given as days before the load, so a freshly loaded site always has
recent news. ``days_ago`` of None leaves the article unpublished (unless it
follows another); a negative value schedules it for the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


@dataclass(frozen=True)
class DemoArticle:
    key: str
    kind: str
    section: str
    headline: str
    standfirst: str
    body: str
    dateline: str
    authors: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    days_ago: int | None
    # The weekday the text was written for ("on Tuesday night"): the date moves back to the nearest one.
    weekday: int | None = None
    # Or published a number of days after another article, for follow-ups and comment on it.
    after: tuple[str, int] | None = None
    hour: int = 9
    status: str = "published"
    sources: tuple[tuple[str, str, int], ...] = ()
    picture: str = ""
    related: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    language: str = "en"
    translation_of: str = ""


ARTICLES = (
    DemoArticle(
        key="north-quay",
        kind="news",
        section="news",
        headline="Port Arlen council approves deepwater berth at North Quay",
        standfirst=(
            "After two years of hearings, councillors voted 31 to 18 to let the Port Authority dredge the channel "
            "for the largest container ships. Residents of the Saltings say their streets will pay for it."
        ),
        dateline="PORT ARLEN",
        authors=(("samuel-adeyemi", ""), ("tobias-lindqvist", "Additional reporting")),
        tags=("Port Arlen", "Harbour"),
        days_ago=3,
        weekday=TUESDAY,
        hour=22,
        picture="north-quay",
        sources=(
            ("gazette", "North Quay vote: how every councillor voted", 0),
            ("radio", "Saltings residents march on City Hall before berth vote", 2),
        ),
        links=(
            ("https://portarlen-council.example/meetings/north-quay-berth/", "Council papers on the North Quay berth"),
        ),
        body="""
<p>Port Arlen's city council approved a deepwater berth at North Quay on Tuesday night, ending a two-year
argument over whether the city should chase the largest container ships or leave them to rival ports further
up the coast.</p>
<p>The vote, 31 to 18, allows the Port Authority to dredge the approach channel to a depth of 17 metres and to
build a 420-metre quay on reclaimed land north of the old grain terminal. The authority puts the cost at
610 million crowns, most of it borrowed against future harbour dues.</p>
<p>"This is the decision that keeps Port Arlen a working port for the next fifty years," said Declan Rourke,
the authority's chief executive, who watched from the public gallery. "Ships are getting bigger whether we like
it or not."</p>
<h2>Lorries and dredging</h2>
<p>Opponents, led by residents of the Saltings, the terraced streets that run down to the quay, argued that the
berth would bring hundreds of extra lorries a day through a neighbourhood that already has the city's worst
air. The council attached two conditions: a new road link to the ring road must open before the berth handles
its first ship, and lorries will be barred from Saltings streets between 10pm and 6am.</p>
<p>Marine scientists at the University of Lisle have asked for dredging to pause each year while herring spawn
in the estuary. The authority said it would follow the advice of the Maritime Safety Board, which has yet to
publish its assessment.</p>
<p>Construction could start within a year if the national government confirms its share of the road funding.
The mayor, Sunniva Ekdahl, said she expected an answer "within weeks, not months".</p>
""",
    ),
    DemoArticle(
        key="saltings",
        kind="opinion",
        section="opinion",
        headline="A deeper harbour must not mean a louder Saltings",
        standfirst=(
            "The North Quay berth can be good for Port Arlen. Whether it is good for the people who live beside "
            "it depends on promises the council has not yet made binding."
        ),
        dateline="PORT ARLEN",
        authors=(("ruth-abernethy", ""),),
        tags=("Port Arlen", "Harbour"),
        days_ago=None,
        after=("north-quay", 1),
        hour=7,
        related=("north-quay",),
        body="""
<p>I grew up four streets from North Quay, close enough to hear the grain ships' horns from my bedroom and to
know, without looking, when a crane was lifting. Port Arlen has always been a town that lives with its harbour.
The question raised by Tuesday's vote is how closely.</p>
<p>The case for the new berth is strong. Ships are growing, and a port that cannot take the largest of them
slowly becomes a port for feeder vessels, with fewer jobs and less say over its own future. The councillors who
voted in favour were not wrong to see that.</p>
<p>But the people of the Saltings were not wrong either. Their streets already carry the lorries for two
terminals. Their children already have the highest asthma rates in the city. They have heard promises about new
roads before.</p>
<p>The conditions the council attached are good on paper: no berth without the road link, no lorries at night.
The test will be enforcement. Who counts the lorries? Who answers the phone at two in the morning when one
rumbles past? What happens in five years' time, when the Port Authority asks for an exemption because a ship is
late?</p>
<p>The council should answer those questions now, while it still has the leverage. Publish the lorry counts
every month. Put the night ban in the lease, not in a planning letter. Give the Saltings a seat on whatever body
decides the exemptions.</p>
<p>A deeper harbour can serve the whole city. It will only do so if the people who live beside it can trust
what they were promised on Tuesday night.</p>
""",
    ),
    DemoArticle(
        key="rates-hold",
        kind="news",
        section="business",
        headline="Reserve Bank holds interest rates and signals a long wait",
        standfirst=(
            "The main rate stays at 3.75 per cent for a fourth meeting in a row. The governor said inflation was "
            "falling, \u201cbut not yet falling for everyone\u201d."
        ),
        dateline="VELMONT",
        authors=(("tobias-lindqvist", ""),),
        tags=("Interest rates", "Velmont"),
        days_ago=6,
        weekday=THURSDAY,
        hour=13,
        picture="rate-path",
        sources=(
            ("reservebank", "Monetary policy statement", 0),
            ("ledger", "Two rate-setters break ranks to call for a cut", 0),
        ),
        links=(("https://reservebank.example/monetary-policy/minutes/", "Reserve Bank: minutes of rate meetings"),),
        body="""
<p>The Reserve Bank left its main interest rate unchanged at 3.75 per cent on Thursday, the fourth meeting in a
row without a move, and gave its clearest hint yet that borrowers should not expect relief for several months.</p>
<p>Consumer prices rose 2.9 per cent in the year to last month, according to the National Statistics Office,
down from a peak of 7.1 per cent two years ago. But the bank's own measure of underlying inflation, which strips
out food and fuel, has barely moved since the start of the year.</p>
<blockquote><p>Inflation is falling, but it is not yet falling for everyone. Rents and services are still rising
faster than wages, and that is where we will be watching.</p></blockquote>
<p>Ingrid Solberg, the governor, told reporters that the nine members of the rate committee had voted seven to
two to hold. The two dissenters wanted a quarter-point cut, citing weak factory orders in Oster and on the
Dunmoor Plain.</p>
<p>Tidewell Bank, the country's largest mortgage lender, said it would keep its fixed rates where they are.
Estate agents in Velmont reported that first-time buyers were still waiting on the sidelines.</p>
<p>The bank's next decision is due in six weeks, alongside new forecasts.</p>
""",
    ),
    DemoArticle(
        key="patience",
        kind="opinion",
        section="opinion",
        headline="Patience at the Reserve Bank is a choice, not a virtue",
        standfirst=(
            "The bank says it can afford to wait. Households paying the highest mortgage rates in fifteen years "
            "may see it differently."
        ),
        dateline="VELMONT",
        authors=(("tobias-lindqvist", "Business editor"),),
        tags=("Interest rates",),
        days_ago=None,
        after=("rates-hold", 1),
        hour=7,
        related=("rates-hold",),
        body="""
<p>Central bankers like to present patience as a virtue. Ingrid Solberg did so again on Thursday, explaining
that the Reserve Bank would hold rates at 3.75 per cent until it was sure inflation was beaten. There is a case
for that. There is also a cost, and it is worth being clear about who pays it.</p>
<p>Waiting too long to cut is not free. Homeowners whose fixed deals expire this year are moving onto rates about
twice what they paid before. Small firms in Oster and on the Dunmoor Plain are already reporting falling orders.
Unemployment, though still low, has risen for three quarters in a row.</p>
<p>The bank's worry is underlying inflation, which is stuck at just over 3 per cent. But much of that comes from
rents and from services whose prices are set once a year, often by looking backwards at past inflation. Keeping
rates high will do little to those, and a great deal to everything else.</p>
<p>Two of the nine members of the rate committee voted for a cut on Thursday. Their argument, set out in the
minutes, is that policy works with a lag of a year or more, so a bank that waits until it is sure has already
waited too long.</p>
<p>I think they are right. A quarter-point cut at the next meeting would not declare victory over inflation. It
would recognise that the bank's job is to balance two risks, and that one of them is now growing faster than the
other.</p>
""",
    ),
    DemoArticle(
        key="comet",
        kind="news",
        section="science",
        headline="Hallow Ridge telescope finds a comet heading for the inner solar system",
        standfirst=(
            "Astronomers at the observatory spotted the faint smudge last week. If it survives its pass near the "
            "Sun, it could be visible through binoculars in about five months."
        ),
        dateline="HALLOW RIDGE",
        authors=(("priya-raman", ""),),
        tags=("Hallow Ridge", "Space"),
        days_ago=14,
        hour=11,
        picture="comet",
        sources=(
            ("herald", "Ridge astronomers find first comet in a generation", 0),
            ("observatory", "Discovery of a long-period comet", 1),
        ),
        body="""
<p>Astronomers at the Hallow Ridge Observatory have discovered a comet on its way towards the Sun, the first found
from the ridge in more than thirty years.</p>
<p>The object showed up as a faint, fuzzy point on images taken by the observatory's 2.4-metre survey telescope
during a routine search for asteroids that pass close to Earth. Follow-up observations over four nights confirmed
that it was moving against the background stars and growing a short tail.</p>
<p>"The first night we thought it was a smudge on the camera," said Dr Kwame Asante, the observatory's director.
"By the third night there was no doubt. It was a comet, and it was ours."</p>
<h2>A long way from home</h2>
<p>Calculations of its orbit suggest the comet is making its first trip into the inner solar system from the
distant cloud of icy bodies far beyond the planets. Such newcomers are hard to predict: some brighten sharply as
the Sun warms their ices, while others crumble and fade.</p>
<p>If it holds together, the comet should be at its brightest in about five months, low in the western sky after
sunset. Dr Asante cautioned against expecting a spectacle. "Binoculars, a dark site and some patience," he said.
"That is the honest forecast."</p>
<p>By long custom the comet will carry the name of the observatory that found it.</p>
""",
    ),
    DemoArticle(
        key="telescopes",
        kind="opinion",
        section="opinion",
        headline="Telescopes are cheap. Losing the people who run them is not",
        standfirst=(
            "The comet found at Hallow Ridge is a triumph for a small team on short contracts. The way the "
            "observatory pays its staff puts the next discovery at risk."
        ),
        dateline="LISLE",
        authors=(("priya-raman", "Science editor"),),
        tags=("Hallow Ridge", "Space", "Lisle"),
        days_ago=None,
        after=("comet", 3),
        hour=7,
        related=("comet",),
        body="""
<p>The comet discovered at Hallow Ridge this month was found by three people: a staff astronomer, a doctoral
student and a technician who has kept the survey telescope running for nineteen years. Two of the three are on
contracts that end next year.</p>
<p>That is not unusual. Much of the country's science is done by people employed from grant to grant, on terms
that would be thought strange in almost any other skilled job. The observatory's budget pays for its buildings and
its mirrors reliably; it pays for its people only in instalments.</p>
<p>The result is a slow drain. Young researchers learn to operate complex instruments, then leave for jobs abroad
or outside science when the money runs out. The knowledge of how to coax the best from an old telescope, which
is rarely written down, leaves with them.</p>
<p>A comet is the kind of news that makes ministers smile. It would be worth asking what it would cost to turn
the ridge's rolling contracts into permanent posts. By my arithmetic, using the observatory's published
accounts, it is less than a tenth of what was spent resurfacing the road up the mountain.</p>
<p>The comet will come and go. The people who found it should be able to stay.</p>
""",
    ),
    DemoArticle(
        key="comet-watch",
        kind="news",
        section="science",
        headline="Comet watch: where and when to look from Hallow Ridge",
        standfirst=(
            "The comet found at the observatory is brightening. Here is how to find it, with binoculars or without."
        ),
        dateline="HALLOW RIDGE",
        authors=(("priya-raman", ""),),
        tags=("Hallow Ridge", "Space"),
        days_ago=-2,
        hour=7,
        status="scheduled",
        picture="comet",
        related=("comet",),
        body="""
<p>The comet discovered at the Hallow Ridge Observatory is brightening as it nears the Sun, and within a few
weeks it should be within reach of ordinary binoculars from a dark site.</p>
<h2>Where to look</h2>
<p>Look low in the west about an hour after sunset, below and to the left of the brightest planet in the evening
sky. The comet will appear as a small, fuzzy star; a short tail may be visible, pointing away from where the Sun
has set.</p>
<h2>When to look</h2>
<p>The best evenings will be the ten days around the new moon, when the sky is darkest. Observers in Port Arlen
and Velmont will need to get away from city lights; the lay-bys on the Hallow Ridge road and the dunes north of
Kestrel Bay are good choices.</p>
<p>The observatory will hold open evenings every Friday while the comet is visible. Places are free but must be
booked in advance.</p>
""",
    ),
    DemoArticle(
        key="oster-flood",
        kind="news",
        section="news",
        headline="River Lowen floods hundreds of homes in Oster",
        standfirst=(
            "Two days of rain pushed the river over its defences on Sunday night. About 1,400 people spent the night "
            "in schools and sports halls."
        ),
        dateline="OSTER",
        authors=(("samuel-adeyemi", ""), ("helena-marsh", "Additional reporting")),
        tags=("Oster", "Floods", "Climate"),
        days_ago=33,
        weekday=MONDAY,
        hour=18,
        picture="oster-flood",
        sources=(
            ("radio", "Lowen peaks at record level in Oster", 0),
            ("weather", "Rainfall summary for the upper Lowen valley", 0),
            ("courier", "Minister promises flood review after Oster visit", -1),
        ),
        body="""
<p>The River Lowen burst its banks in Oster on Sunday night, flooding about 600 homes in the low-lying districts
of Millbank and Ferry Row and forcing some 1,400 people to leave.</p>
<p>The river peaked at 5.8 metres on the gauge at Oster Bridge shortly after 2am, 40 centimetres above the top of
the flood wall built after the last serious flood eleven years ago. The Coastal Weather Service recorded 112
millimetres of rain over the upper valley in 48 hours.</p>
<p>Emergency crews used boats to reach residents on upper floors in Ferry Row. No deaths were reported; six people
were treated in hospital for cold and minor injuries.</p>
<p>"The water came up through the drains before it came over the wall," said Agnes Thorvald, 71, who has lived on
Ferry Row for forty years. "By the time we heard the sirens it was at the second stair."</p>
<h2>Questions over the defences</h2>
<p>Local councillors said they had warned for years that the wall, designed for a once-in-a-century flood, was
already too low for the storms the valley now sees. The environment minister, Lena Vogt, who visited on Monday,
promised a review "without delay" and emergency grants of up to 5,000 crowns per household.</p>
<p>Lowen Steel, the town's largest employer, halted production at its rolling mill after water reached an
electrical substation. The company said it hoped to restart within a week.</p>
<p>Schools in Millbank will stay closed until Thursday.</p>
""",
    ),
    DemoArticle(
        key="lowen-why",
        kind="analysis",
        section="science",
        headline="Why the Lowen keeps breaking its banks",
        standfirst=(
            "Oster's flood wall was built for a storm that was meant to come once a century. The valley has had "
            "three such floods in eleven years, and the reasons lie upstream."
        ),
        dateline="OSTER",
        authors=(("priya-raman", ""),),
        tags=("Floods", "Climate", "Oster"),
        days_ago=None,
        after=("oster-flood", 2),
        hour=8,
        related=("oster-flood",),
        sources=(
            ("university", "Upper Lowen catchment: a flood model", 3),
            ("gazette", "Port Arlen watches the Lowen", 1),
        ),
        links=(("https://weather.example/climate/lowen-valley-rainfall/", "Rainfall records for the Lowen valley"),),
        body="""
<p>When Oster's flood wall was finished eleven years ago, engineers said it would hold back all but a
once-in-a-century flood. On Sunday night it was overtopped for the third time.</p>
<p>The easy explanation is the rain, and the rain has changed. Records from the Coastal Weather Service show that
the wettest two-day totals in the upper Lowen valley have risen by about a fifth in forty years, in line with what
climate scientists expect as warmer air holds more moisture.</p>
<p>But hydrologists say the rain is only half of the story. The other half is what happens to it before it
reaches Oster.</p>
<h2>Fields, roads and drains</h2>
<p>Over the past thirty years, much of the upper valley has been drained for farming and for the industrial
estates along the Oster road. Water that once soaked into peat and wet meadows now runs off fields and roofs into
ditches and culverts, and reaches the river in hours rather than days.</p>
<p>"The peak arrives faster and higher," said Dr Hanne Sorlie, a hydrologist at the University of Lisle who has
modelled the valley. "A wall can be raised, but every time you raise it you also send the problem downstream, to
Port Arlen."</p>
<p>Her team's model suggests that restoring about 2,000 hectares of wetland upstream, and letting the river spill
onto a handful of farms set aside for the purpose, would cut the flood peak at Oster by up to 30 centimetres:
roughly what the wall lacked on Sunday.</p>
<h2>Who pays</h2>
<p>That approach is cheaper than concrete but harder politically. Farmers would need to be paid to let their
fields flood, and the benefits would fall on a town many of them rarely visit. Earlier schemes stalled over
compensation.</p>
<p>The government's review, promised this week, is expected to look at both options. Oster's residents, many of
whom are drying out for the third time, may be forgiven for wanting both.</p>
""",
    ),
    DemoArticle(
        key="sandbags",
        kind="editorial",
        section="editorials",
        headline="Oster deserves more than sandbags",
        standfirst=(
            "A third flood in eleven years is not bad luck. The government's review must pay for the work upstream "
            "that would actually lower the river."
        ),
        dateline="PORT ARLEN",
        authors=(("ruth-abernethy", "For the editorial board"),),
        tags=("Floods", "Oster", "Climate"),
        days_ago=None,
        after=("oster-flood", 3),
        hour=7,
        related=("oster-flood", "lowen-why"),
        body="""
<p>The people of Millbank and Ferry Row have now done this three times: carried their furniture upstairs, watched
the river come through the door, and waited for the insurers. Each time they have been told that the flood was
exceptional. It is time to stop using that word.</p>
<p>A flood wall built for a once-in-a-century event that is overtopped three times in eleven years is not
unlucky. It was designed for a climate the Lowen valley no longer has. That is no fault of the engineers who
built it, who used the best figures of their day. It would be a failure of the government if it simply built the
wall higher and waited for the fourth flood.</p>
<p>The research from the University of Lisle published this week points to a better answer: give the water
somewhere to go before it reaches the town. Restoring wetlands and paying farmers to let chosen fields flood in a
storm would lower the peak at Oster, and at Port Arlen downstream, for a fraction of the cost of concrete.</p>
<p>It will not be simple. Farmers must be paid fairly and reliably, not with grants that vanish at the next
budget. Those who live upstream must be persuaded that they are part of the solution rather than its victims.</p>
<p>The review the environment minister has promised should report within six months, not the customary two
years, and it should come with money attached. Oster does not need another promise. It needs the river to be
lower next time.</p>
""",
    ),
    DemoArticle(
        key="budget",
        kind="news",
        section="news",
        headline="Ferrand's budget puts housing first and slows the rail plan",
        standfirst=(
            "The government will spend 4.2 billion crowns on new homes over five years. The high-speed line to "
            "Oster is pushed back by three years to help pay for it."
        ),
        dateline="VELMONT",
        authors=(("helena-marsh", ""), ("tobias-lindqvist", "")),
        tags=("National Assembly", "Housing", "Rail", "Velmont"),
        days_ago=55,
        weekday=WEDNESDAY,
        hour=16,
        picture="budget",
        sources=(
            ("assembly", "Budget statement by the Minister of Finance", 0),
            ("courier", "The budget at a glance", 0),
            ("ledger", "Rail delay: what it saves and what it costs", -1),
        ),
        body="""
<p>Prime Minister Tomas Ferrand's government unveiled a budget on Wednesday that makes housing its central promise,
with 4.2 billion crowns over five years for homes built by councils and housing associations, paid for in part by
delaying the high-speed rail line between Velmont and Oster.</p>
<p>The finance minister, Oskar Brandt, told the National Assembly that the money would pay for about 38,000 homes,
most of them for rent, and for a new agency to buy land near railway stations before prices rise. "A country that
cannot house its nurses and its bus drivers near their work is a country that is slowly stopping," he said.</p>
<p>The rail line, which was due to open in six years, will now open in nine. Mr Brandt said the delay would save
1.1 billion crowns over the budget period and that the route itself was unchanged.</p>
<h2>Opposition and business</h2>
<p>Mara Lindell, leader of the opposition Labour and Land party, said the housing figures were welcome but late,
and accused the government of "robbing the trains to pay for the houses". The Oster chamber of commerce called the
rail delay a blow to a town still recovering from last year's steel job losses.</p>
<p>The budget also raises the tax on second homes, freezes income tax thresholds for two years and increases
defence spending by 0.2 per cent of national income, a step the government linked to tension on the Morvane
border.</p>
<p>The Assembly will vote on the budget later this month. The governing Civic Alliance has a majority of six.</p>
""",
    ),
    DemoArticle(
        key="budget-editorial",
        kind="editorial",
        section="editorials",
        headline="The budget builds houses. It should also build trains",
        standfirst="Mr Brandt is right that housing cannot wait. But homes and railway lines are one plan, not two.",
        dateline="PORT ARLEN",
        authors=(("ruth-abernethy", "For the editorial board"),),
        tags=("Housing", "Rail", "National Assembly"),
        days_ago=None,
        after=("budget", 1),
        hour=7,
        related=("budget",),
        body="""
<p>There is much to like in the budget Oskar Brandt presented on Wednesday. For a decade, governments of every
colour have talked about the housing shortage as if it were weather, something to be endured. This one has put a
number on it, 38,000 homes, and money behind the number.</p>
<p>The new land agency is the most promising part. Councils have watched for years as land near stations was
bought up by those who could afford to wait for a railway to lift its value. Buying it first, at today's prices,
is the kind of patient, unglamorous policy that pays off for a generation.</p>
<p>Which is why the decision to delay the Velmont to Oster line is so puzzling. The homes the agency will build
are meant to sit near stations. Some of those stations are on a line that will now open three years later than
promised. A house that is an hour and a half from work by road is still a house, but it is not the answer to the
problem the budget sets out to solve.</p>
<p>The saving, 1.1 billion crowns over five years, is real but smaller than it looks. Delays on large projects are
rarely free: contracts are renegotiated, teams are disbanded and rebuilt, and costs rise with every year the work
is not done. The finance ministry's own guidance assumes an extra four per cent for each year of delay.</p>
<p>Before members of the Assembly vote, they should ask the minister for one thing: a single map showing where
the new homes and the new trains will be, and when. If the two do not line up, the budget should change until
they do.</p>
""",
    ),
    DemoArticle(
        key="by-elections",
        kind="analysis",
        section="news",
        headline="Three by-elections, one message for the Civic Alliance",
        standfirst=(
            "The governing party held one seat and lost two, in places it had won comfortably at the general "
            "election. The swing was biggest where the trains are slowest."
        ),
        dateline="VELMONT",
        authors=(("helena-marsh", ""),),
        tags=("Elections", "National Assembly", "Oster", "Kestrel Bay"),
        days_ago=None,
        after=("budget", 9),
        hour=8,
        related=("budget",),
        sources=(("courier", "By-election results in full", 1),),
        body="""
<p>Thursday's three by-elections were small contests, with turnouts below 40 per cent, and governments usually lose
ground in them. Even so, the results should worry the Civic Alliance.</p>
<p>The party held Velmont North with a reduced majority, but lost Oster Central to Labour and Land and Kestrel Bay
to the Green Coast movement, which now has its third seat in the National Assembly. At the general election the
Alliance won all three by more than 3,000 votes.</p>
<h2>Where the swing came</h2>
<p>The swing against the government was 4 points in Velmont North, 11 in Oster Central and 14 in Kestrel Bay. The
pattern matches the complaints candidates heard on the doorstep: in Oster, the rail delay; in Kestrel Bay, the cod
quota and the wind farm's cable works along the coast road.</p>
<p>"People do not vote on the national picture in a by-election," said Dr Marta Kjellberg, a political scientist at
the University of Lisle. "They vote on the road outside, the train they missed and the boat that stayed in
harbour."</p>
<h2>What the Alliance does next</h2>
<p>Tomas Ferrand's majority in the Assembly falls from six to four. That is still enough to govern, but it gives
more weight to the handful of Alliance members from Oster and the coast who have openly criticised the rail
delay.</p>
<p>Ministers say they will not change course. The budget vote next week will show whether all of their own members
agree.</p>
""",
    ),
    DemoArticle(
        key="rent-freeze",
        kind="news",
        section="news",
        headline="Supreme Court strikes down Velmont's rent freeze",
        standfirst=(
            "The judges ruled that the city had no power to freeze rents on its own. Tenants' groups called the "
            "decision a disaster; landlords called it overdue."
        ),
        dateline="VELMONT",
        authors=(("helena-marsh", ""),),
        tags=("Courts", "Housing", "Velmont"),
        days_ago=47,
        weekday=TUESDAY,
        hour=12,
        sources=(
            ("court", "Judgment: Property Owners' Federation v City of Velmont", 0),
            ("courier", "Court ends rent freeze", 0),
        ),
        body="""
<p>The Supreme Court ruled on Tuesday that Velmont's two-year freeze on private rents was unlawful, finding that
the city council had gone beyond its powers when it introduced the measure.</p>
<p>In a five-to-two decision, the court said that rent control was a matter for the National Assembly, which had
never given cities the power to set or freeze rents. The freeze will lapse at the end of next month.</p>
<p>Writing for the majority, the chief justice, Helmut Graf, said the court expressed no view on whether rent
controls were wise. "The question before us is not whether the freeze was a good idea," he wrote, "but whether
the council was the body entitled to have it."</p>
<p>About 110,000 households in Velmont rent privately. The Velmont Tenants' Union said many faced increases of 10
per cent or more as soon as the freeze ended, and urged the government to act. The Property Owners' Federation,
which brought the case, welcomed the ruling.</p>
<p>The housing minister said the government would "look carefully" at the judgment. The opposition Labour and Land
party said it would table a bill giving cities the power to cap rents.</p>
""",
    ),
    DemoArticle(
        key="rents-wages",
        kind="analysis",
        section="business",
        headline="Rents, wages and the eight-year gap",
        standfirst=(
            "Rents in the big cities have risen almost twice as fast as pay. The court ruling on Velmont's freeze "
            "changes the law, not the arithmetic."
        ),
        dateline="VELMONT",
        authors=(("tobias-lindqvist", ""), ("helena-marsh", "")),
        tags=("Housing", "Velmont", "Port Arlen"),
        days_ago=None,
        after=("rent-freeze", 1),
        hour=8,
        related=("rent-freeze", "budget"),
        sources=(("ledger", "Landlords weigh sales as freeze ends", 0),),
        links=(
            (
                "https://statistics.example/housing/rents-and-earnings/",
                "National Statistics Office: rents and earnings tables",
            ),
        ),
        body="""
<p>One number explains why Velmont's rent freeze was popular, and why the Supreme Court's decision to strike it
down will not end the argument. Over the past eight years, average private rents in the city have risen by 47 per
cent. Average wages have risen by 25 per cent.</p>
<p>The gap is similar in Port Arlen and a little smaller in Lisle, according to the National Statistics Office. In
Oster and most smaller towns, rents and wages have moved roughly together.</p>
<h2>Where the money goes</h2>
<p>For a typical renting household in Velmont, rent now takes 38 per cent of income after tax, up from 31 per cent
eight years ago. For households in the bottom fifth of earners, the figure is above half.</p>
<p>Economists disagree about what to do. Landlords, and many economists, argue that freezes discourage building
and push landlords to sell, reducing the number of homes to rent. Tenants' groups point to cities abroad where
rent rules have lived alongside steady construction.</p>
<h2>What comes next</h2>
<p>The court's ruling was narrow. It did not say rent controls were unlawful, only that a city could not impose
them without the Assembly's permission. That puts the question back where many lawyers always said it belonged:
with national politicians, who must now decide whether to give cities that power or to use it themselves.</p>
<p>The government's housing plan, which aims to build 38,000 homes over five years, is its answer. Even on
optimistic assumptions, those homes will arrive slowly. For the 110,000 households facing the end of the freeze,
the question is what happens in the meantime.</p>
""",
    ),
    DemoArticle(
        key="strike",
        kind="news",
        section="business",
        headline="Dockworkers walk out at Port Arlen over night-shift rota",
        standfirst=(
            "Ships queued off the harbour as about 2,000 members of the Dockworkers' Union stopped work. The union "
            "says a new rota leaves crane drivers too tired to work safely."
        ),
        dateline="PORT ARLEN",
        authors=(("samuel-adeyemi", ""),),
        tags=("Strikes", "Harbour", "Port Arlen"),
        days_ago=70,
        weekday=MONDAY,
        hour=15,
        sources=(
            ("gazette", "Ships queue as dock strike begins", 0),
            ("radio", "Union leader: tiredness is how people get killed", 0),
        ),
        body="""
<p>About 2,000 dockworkers at Port Arlen walked out at 6am on Monday, halting work at the container terminals and
leaving 14 ships waiting at anchor off the harbour mouth by the afternoon.</p>
<p>The Dockworkers' Union called the strike after talks broke down over a shift rota introduced by the terminal
operators earlier in the year. The union says the rota, which moves many crane drivers to four twelve-hour nights
in a row, leaves them dangerously tired.</p>
<p>"These are people lifting forty-tonne boxes over the heads of their colleagues," said Gideon Pryce, the union's
general secretary, outside the gates of the East Terminal. "Tiredness is not an inconvenience. It is how people
get killed."</p>
<p>The Port Employers' Association said the rota had been agreed with the union's local representatives and was
needed to handle larger ships that arrive at night. It said it was "ready to talk at any hour".</p>
<p>Passenger ferries to Kestrel Bay and the islands were not affected. Supermarkets said they had enough stock for
about a week, though some imported fresh fruit could run short sooner.</p>
<p>The strike is the first at the port in nine years.</p>
""",
    ),
    DemoArticle(
        key="strike-ends",
        kind="news",
        section="business",
        headline="Port strike ends with a deal on rest breaks",
        standfirst=(
            "Crane drivers will work no more than three nights in a row under an agreement reached after eight "
            "days. Both sides claimed victory."
        ),
        dateline="PORT ARLEN",
        authors=(("samuel-adeyemi", ""), ("tobias-lindqvist", "Additional reporting")),
        tags=("Strikes", "Harbour", "Port Arlen"),
        days_ago=None,
        after=("strike", 8),
        hour=11,
        related=("strike",),
        sources=(
            ("gazette", "Dockers vote to accept deal", 0),
            ("ledger", "Port backlog to take a fortnight to clear", 0),
        ),
        body="""
<p>Dockworkers at Port Arlen returned to work on Tuesday after eight days on strike, under a deal that limits crane
drivers to three night shifts in a row and adds a paid rest break in the middle of each night.</p>
<p>The agreement was reached just after midnight at the offices of the national mediation service in Velmont,
after eleven hours of talks. Union members approved it by 83 per cent in a vote in the East Terminal canteen the
next morning.</p>
<p>Gideon Pryce, general secretary of the Dockworkers' Union, said the deal showed that "safety is not a cost to be
cut". The Port Employers' Association said the new rota kept the terminals open through the night, which was what
it needed.</p>
<p>The backlog will take time to clear. At the height of the strike, 31 ships were waiting off the harbour, and
several shipping lines diverted cargo to ports in Morvane. The Port Authority estimates that the stoppage cost the
port about 40 million crowns in lost fees.</p>
<p>Both sides agreed to an independent study of fatigue at the port, to be published within a year.</p>
""",
    ),
    DemoArticle(
        key="ferries",
        kind="news",
        section="business",
        headline="Arlen Shipyards wins an order for six electric ferries",
        standfirst=(
            "The contract, worth 900 million crowns, secures about 1,200 jobs at the yard for four years. The ferries "
            "will run on batteries charged from the shore."
        ),
        dateline="PORT ARLEN",
        authors=(("tobias-lindqvist", ""),),
        tags=("Arlen Shipyards", "Port Arlen", "Energy", "Harbour"),
        days_ago=25,
        hour=10,
        picture="ferry-hull",
        sources=(
            ("ledger", "Shipyard lands its biggest order in a decade", 0),
            ("gazette", "What the ferry order means for the river", 1),
        ),
        body="""
<p>Arlen Shipyards has won a contract to build six battery-powered ferries for the coastal routes between Port
Arlen, Kestrel Bay and the outer islands, the largest order at the yard in more than a decade.</p>
<p>The contract with the state ferry company, worth about 900 million crowns, will keep roughly 1,200 people in
work for four years. The first ship is due to be launched in two and a half years.</p>
<p>Each ferry will carry 400 passengers and 120 cars and run almost entirely on batteries, recharging during the
fifteen minutes it spends at each quay. Diesel generators will be kept on board for emergencies only.</p>
<p>"We have been building ships on this river for 140 years," said Marit Holm, the shipyard's chief executive.
"This is the kind of ship we want to be building for the next 140."</p>
<h2>Charging the harbour</h2>
<p>The order depends on a new power connection to the ferry terminals. Velmont Grid, the national network
operator, said it would lay a cable from the substation at Carrow Point, work it expects to finish before the
first ferry enters service.</p>
<p>The yard beat bidders from Morvane and two other countries. Ms Holm said the deciding factor had been a promise
to maintain the ships at Port Arlen for their first ten years.</p>
""",
    ),
    DemoArticle(
        key="wind-farm",
        kind="news",
        section="science",
        headline="Offshore wind farm off Kestrel Bay sends its first power ashore",
        standfirst=(
            "The first 12 of 64 turbines are now turning. When it is finished, the farm will supply about a fifth "
            "of the country's electricity."
        ),
        dateline="KESTREL BAY",
        authors=(("priya-raman", ""),),
        tags=("Kestrel Bay", "Energy", "Climate"),
        days_ago=90,
        weekday=FRIDAY,
        hour=14,
        picture="kestrel-bank",
        sources=(
            ("kestrel", "First turbines turn on the Bank", 0),
            ("norrow", "Kestrel Bank: first power", 0),
        ),
        body="""
<p>Electricity from the Kestrel Bank wind farm reached the national grid for the first time on Friday, as the first
12 of its 64 turbines began turning 30 kilometres off the coast.</p>
<p>Norrow Energy, which is building the farm, said it expected all the turbines to be working within a year. At
full output the farm will generate about 1.2 gigawatts, roughly a fifth of the country's average demand.</p>
<p>Each turbine stands 260 metres tall to the tip of its blades, higher than any building in the country. They are
fixed to the seabed in water about 40 metres deep, on a sandbank that fishers have worked for generations.</p>
<p>"There were nights during last winter's storms when we wondered whether we'd get here," said Karin Vestergaard,
Norrow's project director, aboard a service vessel at the site. "Today the power is flowing, and that's what people
will remember."</p>
<h2>Fishers and birds</h2>
<p>The Kestrel Bay Fishermen's Association negotiated compensation and access to the farm's waters for static gear
such as crab pots. Trawling is barred between the turbines.</p>
<p>Ornithologists from the University of Lisle are tracking gannets and kittiwakes around the site with radar and
small GPS tags, to measure how many birds avoid the turbines and how many are killed by them. Their first report is
due next year.</p>
""",
    ),
    DemoArticle(
        key="cod-quota",
        kind="news",
        section="business",
        headline="Kestrel Bay fishers accept a smaller cod quota for a guaranteed price",
        standfirst=(
            "The catch will be cut by a quarter for three years while stocks recover. In return, processors "
            "promise a minimum price per kilo."
        ),
        dateline="KESTREL BAY",
        authors=(("samuel-adeyemi", ""),),
        tags=("Fisheries", "Kestrel Bay"),
        days_ago=110,
        hour=17,
        sources=(
            ("kestrel", "Fishers vote for a smaller catch", 0),
            ("radio", "Cod stock at record low, scientists warn", 12),
        ),
        body="""
<p>Fishers in Kestrel Bay have agreed to cut their cod catch by a quarter for the next three years, in a deal that
guarantees them a minimum price for the fish they do land.</p>
<p>Scientists at the fisheries institute had warned that the cod stock in coastal waters had fallen to its lowest
level since records began, after years of warm seas pushed young fish north. They had recommended a cut of 40 per
cent.</p>
<p>Under the agreement, brokered by the fisheries ministry, the three processing plants in Kestrel Bay will pay at
least 38 crowns a kilo for cod, about a fifth above this year's average. The government will cover part of the
difference if market prices fall below that floor.</p>
<p>"Nobody in this harbour wanted to fish less," said Rolf Amundsen, chairman of the Kestrel Bay Fishermen's
Association. "But nobody wanted to be the last one fishing, either."</p>
<p>Conservation groups welcomed the deal but said it fell short of the scientific advice. The quota will be
reviewed every year.</p>
""",
    ),
    DemoArticle(
        key="brevance-schools",
        kind="news",
        section="news",
        headline="Brevance votes to keep its bilingual schools",
        standfirst=(
            "The regional council rejected a plan to teach most lessons in a single language. Parents had collected "
            "60,000 signatures against it."
        ),
        dateline="VAUDREC",
        authors=(("camille-fournier", ""),),
        tags=("Brevance",),
        days_ago=20,
        weekday=THURSDAY,
        hour=15,
        picture="vaudrec-school",
        sources=(
            ("veilleur", "\u00c9coles bilingues\u00a0: le conseil dit non \u00e0 la r\u00e9forme", 0),
            ("courier", "Brevance rejects school language plan", 0),
        ),
        body="""
<p>The regional council of Brevance voted on Thursday to keep teaching in both French and English in its primary
schools, rejecting a proposal that would have made English the main language of lessons from the age of nine.</p>
<p>The vote, 41 to 22, followed a petition signed by more than 60,000 people, about one in six adults in the
province, and a march through Vaudrec last month that organisers said drew 15,000 people.</p>
<p>"Children here grow up with two languages at the kitchen table," said \u00c9lodie Marchetti, president of the
regional council. "Our schools should look like our homes."</p>
<p>The proposal came from the national education ministry, which argued that pupils in Brevance were falling behind
in English by the end of primary school. Test results published last year showed reading scores about 6 per cent
below the national average.</p>
<h2>A compromise on reading</h2>
<p>The council agreed instead to add an hour a week of reading in English from the age of eight, and to train 300
more bilingual teachers over five years. The education ministry said it would study the decision.</p>
<p>Brevance, in the north of the country, has had its own language rules since the 1950s. About 70 per cent of its
people speak French at home.</p>
""",
    ),
    DemoArticle(
        key="brevance-schools-fr",
        kind="news",
        section="news",
        headline="La Brevance vote le maintien de ses \u00e9coles bilingues",
        standfirst=(
            "Le conseil r\u00e9gional a rejet\u00e9 un projet qui aurait impos\u00e9 une seule langue pour la "
            "plupart des cours. Des parents avaient r\u00e9uni 60\u00a0000 signatures contre la r\u00e9forme."
        ),
        dateline="VAUDREC",
        authors=(("camille-fournier", ""),),
        tags=("Brevance",),
        days_ago=None,
        after=("brevance-schools", 0),
        hour=17,
        picture="vaudrec-school",
        language="fr",
        translation_of="brevance-schools",
        sources=(
            ("veilleur", "\u00c9coles bilingues\u00a0: le conseil dit non \u00e0 la r\u00e9forme", 0),
            ("courier", "Brevance rejects school language plan", 0),
        ),
        body="""
<p>Le conseil r\u00e9gional de la Brevance a vot\u00e9 jeudi le maintien de l'enseignement en fran\u00e7ais et en
anglais dans ses \u00e9coles primaires, rejetant une proposition qui aurait fait de l'anglais la principale langue
des cours d\u00e8s l'\u00e2ge de neuf ans.</p>
<p>Le vote, acquis par 41 voix contre 22, fait suite \u00e0 une p\u00e9tition sign\u00e9e par plus de 60\u00a0000
personnes, soit environ un adulte sur six dans la province, et \u00e0 une marche dans les rues de Vaudrec le mois
dernier, qui a rassembl\u00e9 15\u00a0000 personnes selon les organisateurs.</p>
<p>\u00ab\u00a0Ici, les enfants grandissent avec deux langues autour de la table de la cuisine\u00a0\u00bb, a
d\u00e9clar\u00e9 \u00c9lodie Marchetti, pr\u00e9sidente du conseil r\u00e9gional. \u00ab\u00a0Nos \u00e9coles
doivent ressembler \u00e0 nos maisons.\u00a0\u00bb</p>
<p>La proposition venait du minist\u00e8re national de l'\u00c9ducation, selon lequel les \u00e9l\u00e8ves de la
Brevance accusent un retard en anglais \u00e0 la fin du primaire. Les r\u00e9sultats publi\u00e9s l'an dernier
montraient des scores de lecture inf\u00e9rieurs d'environ 6\u00a0% \u00e0 la moyenne nationale.</p>
<h2>Un compromis sur la lecture</h2>
<p>Le conseil a d\u00e9cid\u00e9 en contrepartie d'ajouter une heure de lecture en anglais par semaine \u00e0 partir
de huit ans et de former 300 enseignants bilingues suppl\u00e9mentaires en cinq ans. Le minist\u00e8re de
l'\u00c9ducation a indiqu\u00e9 qu'il \u00e9tudierait la d\u00e9cision.</p>
<p>La Brevance, dans le nord du pays, dispose de ses propres r\u00e8gles linguistiques depuis les ann\u00e9es 1950.
Environ 70\u00a0% de ses habitants parlent fran\u00e7ais \u00e0 la maison.</p>
""",
    ),
    DemoArticle(
        key="sarn-crossing",
        kind="news",
        section="news",
        headline="Velmont and Morvane agree to reopen the Sarn border crossing",
        standfirst=(
            "The crossing has been closed to lorries for 18 months after a row over customs checks. Freight will "
            "resume next month under a joint inspection scheme."
        ),
        dateline="VELMONT",
        authors=(("helena-marsh", ""),),
        tags=("Morvane", "Velmont", "Oster"),
        days_ago=130,
        weekday=MONDAY,
        hour=16,
        sources=(
            ("morvane", "Sarkis: we need to agree on the road between us", 0),
            ("courier", "Sarn crossing to reopen to lorries", 0),
        ),
        body="""
<p>The government and Morvane agreed on Monday to reopen the Sarn crossing to freight next month, ending an
18-month closure that forced lorries onto a 200-kilometre detour and strained relations between the two
neighbours.</p>
<p>Under the agreement, signed in Velmont by the foreign minister, Ines Calder, and her Morvanian counterpart,
Anton Sarkis, customs officers from both countries will inspect lorries together at a single site on the Morvane
side of the river. Each country had accused the other of using slow checks to protect its own hauliers.</p>
<p>"Good neighbours do not need to agree on everything," Mr Sarkis said at a joint press conference. "They need to
agree on the road between them."</p>
<p>The closure hit businesses in Oster and Brevance hardest. The Oster chamber of commerce estimated that the
detour added 300 crowns to the cost of every lorry load.</p>
<p>The agreement does not settle the wider dispute over fishing rights in the Sarn estuary, which the two
governments said would be the subject of separate talks.</p>
""",
    ),
    DemoArticle(
        key="sarn-analysis",
        kind="analysis",
        section="news",
        headline="What the Sarn crossing deal settles, and what it leaves open",
        standfirst=(
            "Lorries will roll again, but the harder questions between the two neighbours (fish, water and a "
            "disputed sandbank) are still on the table."
        ),
        dateline="VELMONT",
        authors=(("helena-marsh", ""),),
        tags=("Morvane", "Fisheries", "Brevance"),
        days_ago=None,
        after=("sarn-crossing", 2),
        hour=8,
        related=("sarn-crossing",),
        body="""
<p>For the hauliers of Oster and the farmers of Brevance, Monday's agreement to reopen the Sarn crossing is the only
part of the relationship with Morvane that matters. For the two governments, it was the easy part.</p>
<h2>What is settled</h2>
<p>The deal creates a joint customs post, staffed by officers from both countries and run under rules that neither
can change alone. That removes the lever each side pulled during the dispute: slowing the other's lorries. It also
includes a complaints procedure with a deadline, something the old arrangement lacked.</p>
<h2>What is not</h2>
<p>The fishing rights in the Sarn estuary, which set off the dispute when Morvanian patrol boats detained two
trawlers from Kestrel Bay, are left for later talks. So is the sharing of water from the upper Sarn, which Morvane
wants to draw on for a new irrigation scheme. Both questions touch voters in a way that customs rules do not.</p>
<p>Then there is the Halde, a sandbank at the mouth of the estuary that appears on both countries' maps as their
own. It is uninhabited and mostly under water at high tide, which has not stopped it featuring in election
speeches on both sides of the river.</p>
<h2>Why now</h2>
<p>Diplomats in Velmont point to two pressures. Morvane's own exporters were losing money on the detour, and both
governments face elections within two years and would rather campaign on an open road than a closed one.</p>
<p>That makes the next round of talks the real test. A customs post can be built in a month. A settlement over fish
and water will need leaders willing to tell their own voters that they did not get everything.</p>
""",
    ),
    DemoArticle(
        key="halcyon",
        kind="news",
        section="business",
        headline="Halcyon Rail's new trains run late in their first week",
        standfirst=(
            "One in four services between Oster and Port Arlen was more than ten minutes late. The operator blames "
            "the software that controls the doors."
        ),
        dateline="OSTER",
        authors=(("tobias-lindqvist", ""),),
        tags=("Rail", "Oster", "Port Arlen"),
        days_ago=150,
        hour=12,
        picture="halcyon",
        sources=(
            ("gazette", "Commuters give their verdict on the new trains", 1),
            ("ledger", "Halcyon shares dip after a troubled launch", 0),
        ),
        body="""
<p>Halcyon Rail's new fleet of electric trains had a difficult first week on the line between Oster and Port
Arlen, with one in four services arriving more than ten minutes late and eleven cancelled outright.</p>
<p>The operator said most of the delays were caused by a fault in the software that controls the doors, which
sometimes refused to close after a stop. Drivers had to reset the system by hand, which takes several minutes.</p>
<p>"We are sorry," said Henrik Dahl, Halcyon's operations director. "Passengers waited a long time for these trains
and they deserve better than a bumpy start." He said a fix would be installed on all 24 trains by the end of next
week.</p>
<p>The new trains, bought for 520 million crowns, are quieter than the diesel units they replace and have 30 per
cent more seats. Regular passengers said they liked the trains but not the timetable.</p>
<p>The Passenger Council, which speaks for rail users, asked the transport ministry to make Halcyon pay compensation
for every service more than fifteen minutes late, rather than thirty as now.</p>
""",
    ),
    DemoArticle(
        key="wildfires",
        kind="news",
        section="news",
        headline="Wildfires on Hallow Ridge force two villages to evacuate",
        standfirst=(
            "Fires fanned by dry easterly winds have burned about 3,000 hectares of forest. Firefighters hope cooler "
            "weather will help them hold the line by the weekend."
        ),
        dateline="HALLOW RIDGE",
        authors=(("samuel-adeyemi", ""), ("priya-raman", "Additional reporting")),
        tags=("Wildfires", "Hallow Ridge", "Climate"),
        days_ago=200,
        weekday=WEDNESDAY,
        hour=19,
        picture="ridge-fire",
        sources=(
            ("herald", "Eskdale evacuated as fires spread", 0),
            ("weather", "Fire danger warning for Hallow Ridge", 2),
        ),
        body="""
<p>About 900 people were evacuated from the villages of Eskdale and Upper Fenwick on Wednesday as wildfires on the
southern slopes of Hallow Ridge spread through dry pine forest, driven by strong easterly winds.</p>
<p>The fires have burned about 3,000 hectares since they began on Monday afternoon, according to the regional fire
service. More than 400 firefighters are at work, supported by three water-bombing aircraft, two of them lent by
Morvane.</p>
<p>"The wind turns every hour," said the chief fire officer, Maren Lund. "We build a line, and it jumps the line.
This is the hardest fire we have fought here."</p>
<p>No one has been hurt. Smoke closed the mountain road to the Hallow Ridge Observatory, whose staff were moved to
Lisle as a precaution.</p>
<h2>A dry year</h2>
<p>The Coastal Weather Service said the ridge had received less than half its usual rainfall for the season and
that the forest floor was the driest it had ever measured. Forecasters expect the wind to drop and temperatures to
fall by the weekend, which firefighters hope will let them contain the fires.</p>
<p>Residents of Eskdale are being housed in a sports centre in Lisle. The regional government said it would decide
on Friday whether they could go home.</p>
""",
    ),
    DemoArticle(
        key="dunmoor",
        kind="news",
        section="business",
        headline="Dunmoor farmers count the cost of a dry year",
        standfirst=(
            "Wheat yields are down by about a third and some farmers are selling cattle they can no longer feed. "
            "The farm union wants emergency help."
        ),
        dateline="DUNMOOR",
        authors=(("tobias-lindqvist", ""),),
        tags=("Drought", "Climate"),
        days_ago=190,
        hour=9,
        picture="dunmoor",
        sources=(
            ("ledger", "Wheat harvest smallest in two decades", 0),
            ("courier", "Farm union calls for drought aid", 1),
        ),
        body="""
<p>Farmers across the Dunmoor Plain are bringing in their smallest wheat harvest in more than twenty years, after
months in which parts of the region received barely a third of their usual rain.</p>
<p>Early figures from the farm union suggest yields are down by about 30 per cent on average, and by more than half
on the lighter, sandy soils in the east of the plain. Grazing has withered, and some livestock farmers have begun
selling cattle they cannot afford to feed through the winter.</p>
<p>"My father talked about the year of the long drought as the worst he ever saw," said Eliza Brandvold, who grows
wheat and barley near the village of Harrowgate. "This one is worse, and I am forty."</p>
<p>Brightwater Foods, which buys much of the plain's wheat for its mills, said it would honour its contracts at the
agreed prices but warned that bread would probably cost more next year.</p>
<p>The farm union has asked the government for emergency support, including cheap loans and help with the cost of
animal feed. The agriculture ministry said it was assessing the damage and would announce measures "in the coming
weeks".</p>
""",
    ),
    DemoArticle(
        key="measles",
        kind="news",
        section="science",
        headline="Measles cases in Lisle prompt a catch-up vaccination drive",
        standfirst=(
            "Thirty-four cases have been confirmed since the start of the school year, most in children who missed "
            "one or both doses. Free clinics opened in schools and libraries this weekend."
        ),
        dateline="LISLE",
        authors=(("priya-raman", ""),),
        tags=("Public health", "Lisle"),
        days_ago=80,
        weekday=SATURDAY,
        hour=18,
        sources=(
            ("health", "Measles cases in Lisle: advice for parents", 0),
            ("review", "Measles outbreak: what parents need to know", 0),
        ),
        links=(("https://publichealth.example/vaccination/measles/", "Public Health Agency: measles vaccination"),),
        body="""
<p>Health officials in Lisle have opened free vaccination clinics in schools and libraries after 34 cases of
measles were confirmed in the city since the start of the school year, the largest outbreak in the country for a
decade.</p>
<p>Most of the cases are in children aged between four and eleven who had not received both doses of the vaccine.
Five children have been treated in hospital; all are recovering.</p>
<p>"Measles is not a mild illness, and it is one of the most contagious diseases we know," said Dr Leila Haddad,
the health minister, who visited a clinic at the central library on Saturday. "Two doses protect almost everyone.
It is never too late to catch up."</p>
<p>The Public Health Agency said vaccination rates among children in Lisle had fallen to 86 per cent, below the
level of about 95 per cent needed to stop the virus spreading. Officials say many families missed appointments
when clinics were disrupted some years ago and never rebooked.</p>
<p>Parents can bring children to any of the clinics without an appointment. Records can be checked on the agency's
website or by calling the local health centre.</p>
""",
    ),
    DemoArticle(
        key="kestrel-telecom",
        kind="news",
        section="business",
        headline="Kestrel Telecom fined for keeping customers' location records",
        standfirst=(
            "The data protection authority says the company stored where millions of phones had been for up to "
            "seven years. Kestrel says it will appeal."
        ),
        dateline="VELMONT",
        authors=(("tobias-lindqvist", ""),),
        tags=("Data privacy", "Courts"),
        days_ago=100,
        hour=11,
        sources=(
            ("privacy", "Decision on the retention of location data", 0),
            ("ledger", "Kestrel hit with record privacy fine", 0),
        ),
        body="""
<p>Kestrel Telecom, the country's second-largest mobile network, has been fined 48 million crowns for keeping
detailed records of its customers' movements for years longer than the law allows.</p>
<p>The data protection authority found that the company had stored the location of every phone on its network,
logged each time it connected to a mast, for up to seven years. The law allows such data to be kept for six months,
and only for billing and repairs to the network.</p>
<p>"A list of every place a person has been is one of the most revealing things that can be known about them," the
authority's commissioner, Nora Bakke, wrote in her decision. "It cannot be kept simply because it might be useful
one day."</p>
<p>The records covered about 3.4 million customers. The authority said it had found no evidence that they had been
sold, but that a marketing team had used them to test advertising campaigns based on where people shopped.</p>
<p>Kestrel said it had deleted the older data and would appeal against the size of the fine, which it called
"disproportionate". The company has 30 days to lodge its appeal with the administrative court.</p>
""",
    ),
    DemoArticle(
        key="location-editorial",
        kind="editorial",
        section="editorials",
        headline="Where you have been is not the price of a phone",
        standfirst=(
            "The fine on Kestrel Telecom is a start. The law should make it impossible, not merely costly, to keep "
            "such records."
        ),
        dateline="PORT ARLEN",
        authors=(("ruth-abernethy", "For the editorial board"),),
        tags=("Data privacy", "Courts", "National Assembly"),
        days_ago=None,
        after=("kestrel-telecom", 1),
        hour=7,
        related=("kestrel-telecom",),
        body="""
<p>Most people know that their phone company can tell where they are. Few would have guessed that one company kept
a record of where they had been, mast by mast, for seven years.</p>
<p>The data protection authority was right to fine Kestrel Telecom, and right to describe such a record as one of
the most revealing things that can be known about a person. A list of the places someone has slept, prayed, sought
medical care or met a friend is a biography they never agreed to write.</p>
<p>Kestrel says it will appeal against the size of the fine. It would do better to explain how a marketing team
came to be testing advertisements on data that should have been deleted years earlier, and who approved it.</p>
<p>The larger lesson is for lawmakers. A fine of 48 million crowns is large by the authority's standards but small
beside the revenue of a national network. For a company that weighs the risk of being caught against the value of
the data, the sum may look like a cost of doing business.</p>
<p>The National Assembly should change the law so that location data is deleted automatically after six months,
with the deletion checked by independent auditors, and so that directors can be held personally responsible when it
is not. The right to move about without leaving a permanent trail should not depend on whether a regulator happens
to look.</p>
""",
    ),
    DemoArticle(
        key="salt-line",
        kind="news",
        section="culture",
        headline="Port Arlen Film Festival opens with a fishing crew's last season",
        standfirst=(
            "\u201cThe Salt Line\u201d, shot in Kestrel Bay with a cast of working fishers, opened the festival's "
            "40th edition on Friday night."
        ),
        dateline="PORT ARLEN",
        authors=(("camille-fournier", ""),),
        tags=("Film festival", "Port Arlen", "Kestrel Bay"),
        days_ago=160,
        weekday=FRIDAY,
        hour=23,
        sources=(("gazette", "Festival opens to a standing ovation", 0),),
        links=(("https://portarlen-filmfestival.example/programme/", "The festival's full programme"),),
        body="""
<p>The Port Arlen Film Festival opened its 40th edition on Friday with <em>The Salt Line</em>, a quiet, often funny
film about a Kestrel Bay trawler crew in their last season before the boat is sold.</p>
<p>Its director, Sigrid Okafor-Lund, cast working fishers in most of the roles and shot the film over five months
aboard a 19-metre trawler, often in weather that sent the professional film crew below deck. "The fishers were
never seasick," she said at the premiere. "I was seasick every day."</p>
<p>The audience at the Harbour Picture House gave the film a long standing ovation. Several of its stars, who had
driven down from Kestrel Bay in a minibus, took their bows in the jackets they wear at sea.</p>
<p>The festival runs for ten days and shows 160 films from 38 countries, including a series of silent films with
live music played by students from the Lisle conservatoire. Its director, Tomasz Wrobel, said ticket sales were the
highest in its history.</p>
<p>Ms Okafor-Lund said she hoped <em>The Salt Line</em> would tour the village halls of the coast before it reaches
cinemas. "It belongs to them first," she said.</p>
""",
    ),
    DemoArticle(
        key="tour-of-the-ridge",
        kind="news",
        section="sport",
        headline="Tour of the Ridge returns to its summit finish",
        standfirst=(
            "The race climbs to the observatory for the first time in six years after the mountain road was rebuilt. "
            "Organisers expect 40,000 spectators on the final climb."
        ),
        dateline="LISLE",
        authors=(("samuel-adeyemi", ""),),
        tags=("Cycling", "Hallow Ridge", "Lisle"),
        days_ago=240,
        weekday=THURSDAY,
        hour=9,
        sources=(("herald", "Summit finish is back, and so are the crowds", 0),),
        body="""
<p>The Tour of the Ridge will finish at the summit of Hallow Ridge for the first time in six years when the race
starts in Lisle on Saturday, now that the rebuilt mountain road has reopened.</p>
<p>The five-day race covers 780 kilometres and ends with a 14-kilometre climb from Eskdale to the gates of the
Hallow Ridge Observatory, at an average gradient of 8 per cent. Organisers expect up to 40,000 people to line the
climb on Wednesday.</p>
<p>"The summit is what makes this race," said its director, Pavel Ionescu. "Without it we were a good race. With it
we have a story."</p>
<p>The favourite is last year's winner, Jonas Brekke of the Velmont-based Tidewell team, though he has spent much
of the season recovering from a broken collarbone. Local hopes rest on Anneli Sund, 22, from Eskdale, who rides for
a Morvanian team and has known the climb since childhood.</p>
<p>The observatory will close to visitors for the day. Its director, Dr Kwame Asante, said the staff planned to watch
from the roof of the main dome.</p>
""",
    ),
    DemoArticle(
        key="coast-cup",
        kind="news",
        section="sport",
        headline="Port Arlen Rovers win the Coast Cup in extra time",
        standfirst=(
            "A header from Teo Marangoni in the 113th minute beat Velmont Athletic 2-1 and brought the club its first "
            "major trophy in 27 years."
        ),
        dateline="VELMONT",
        authors=(("samuel-adeyemi", ""),),
        tags=("Football", "Port Arlen", "Velmont"),
        days_ago=300,
        weekday=SUNDAY,
        hour=20,
        sources=(
            ("gazette", "Rovers end 27-year wait", 0),
            ("radio", "Marangoni: I thought I was too old to jump that high", 1),
        ),
        body="""
<p>Port Arlen Rovers won the Coast Cup for the first time in 27 years on Saturday, beating Velmont Athletic 2-1 after
extra time in front of 48,000 people at the National Stadium.</p>
<p>Teo Marangoni, the Rovers' 35-year-old captain, scored the winner in the 113th minute, rising above two defenders
to head in a corner from Kofi Mensah. It was his first goal of the season.</p>
<p>Velmont had led at half-time through a penalty from Lukas Ferreira, awarded for a handball that the Rovers'
manager, Aoife Brennan, described as "generous". Mensah equalised with a low shot from the edge of the area on the
hour.</p>
<p>"I have waited my whole career for this," said Marangoni, who grew up two streets from the Rovers' ground in the
Saltings. "I thought I was too old to jump that high. It turns out I wasn't."</p>
<p>Thousands of supporters gathered at North Quay on Sunday to welcome the team's open-top bus. The club said the
trophy would go on show at the Port Arlen Maritime Museum for a month.</p>
""",
    ),
    DemoArticle(
        key="cruise-curfew",
        kind="news",
        section="news",
        headline="Port Authority weighs a night curfew for cruise ships",
        standfirst=(
            "Residents of the old town have complained about engines running through the night. A proposal would "
            "stop cruise ships arriving after 11pm."
        ),
        dateline="PORT ARLEN",
        authors=(("samuel-adeyemi", ""),),
        tags=("Harbour", "Port Arlen"),
        days_ago=None,
        status="draft",
        body="""
<p>The Port Authority is considering a ban on cruise ships arriving at or leaving Port Arlen between 11pm and 6am,
after complaints from residents of the old town about noise and fumes from ships that keep their engines running at
the quay overnight.</p>
<p>A draft proposal seen by Dateline would also require cruise ships to plug into shore power once the new
connection at the Customs House quay is finished.</p>
<p><strong>Still to do:</strong> response from the cruise lines' association; check with the Port Authority press
office how many night calls there were last year.</p>
""",
    ),
    DemoArticle(
        key="forecasting",
        kind="analysis",
        section="business",
        headline="Inside the Reserve Bank's new forecasting model",
        standfirst=(
            "The bank has rebuilt the model it uses to predict inflation. We asked its economists what changed, and "
            "what the old one got wrong."
        ),
        dateline="VELMONT",
        authors=(("tobias-lindqvist", ""),),
        tags=("Interest rates",),
        days_ago=None,
        status="review",
        body="""
<p>For most of the past decade, the Reserve Bank's forecasts of inflation were remarkably accurate. Then, in the
space of a year, they were wrong by more than four percentage points. This month the bank published the first
forecasts from a new model that it says has learned from that mistake.</p>
<p>The old model treated the country as a single market in which prices respond smoothly to demand. The new one
splits the economy into a dozen sectors and lets shocks spread from one to another, from energy to transport to
food, with delays the bank has estimated from forty years of data.</p>
<p>"The old model was very good at explaining ordinary years," said one of the economists who built the new one.
"It had never seen an extraordinary one."</p>
""",
    ),
)


def publication_dates(today: date) -> dict[str, date | None]:
    """The day each article goes out, with weekdays and follow-ups lined up as the texts say."""
    dates: dict[str, date | None] = {}
    for spec in ARTICLES:
        if spec.after:
            key, days = spec.after
            dates[spec.key] = dates[key] + timedelta(days=days)
        elif spec.days_ago is None:
            dates[spec.key] = None
        else:
            day = today - timedelta(days=spec.days_ago)
            if spec.weekday is not None:
                day -= timedelta(days=(day.weekday() - spec.weekday) % 7)
            dates[spec.key] = day
    return dates
