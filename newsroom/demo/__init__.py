"""Demo content for a fresh Dateline site.

Everything here describes an invented country: its cities (Port Arlen,
Velmont, Oster, Lisle, Kestrel Bay), its French-speaking province (Brevance),
its neighbour (Morvane), and the people and companies in them. None of it is a
report about real people or events.

``content`` holds sections, authors, outlets and picture descriptions,
``articles`` the written stories, ``timeline`` the building blocks for dated
events, ``pictures`` draws the illustrations, and ``loader`` writes it all.
"""

SEED = 20_240_611
