"""The indicator definitions every chart links to, in plain Dutch, shipped inside the site (definities.html):
a reader of the site cannot open the repository. Short versions of docs/indicators/*.md."""

from __future__ import annotations

# (anchor, title, text); the anchors are the section ids of a gemeente page (the report contract).
DEFINITIES: list[tuple[str, str, str]] = [
    (
        "jeugdhulpgebruik",
        "Jeugdhulpgebruik (1 op N)",
        "Het aantal verschillende jeugdigen met jeugdhulp (geen jeugdbescherming of jeugdreclassering) in een "
        "halfjaar of jaar, volgens de iJw-berichten van de aanbieders, tegenover het aantal inwoners van 0 tot en "
        "met 17 jaar (CBS, 1 januari). '1 op N' betekent: één op de N jeugdigen kreeg jeugdhulp; 'per 1.000' is "
        "hetzelfde cijfer per duizend jeugdigen. Het doel is het streefcijfer van de regio voor dat jaar. CBS telt "
        "ook pgb en aanbieders zonder iJw-berichten; daarom ligt het CBS-cijfer meestal hoger.",
    ),
    (
        "aanmeldingen",
        "Aanmeldingen bij de jeugd- en gezinsteams",
        "Aanmeldingen met een aanmelddatum in de maand, per team, uit de maandelijkse export van de teams. Wie "
        "binnen 30 dagen opnieuw bij hetzelfde team wordt aangemeld, telt één keer. Een kwartaal of jaar is de som "
        "van zijn maanden. 'Niet geleverd': het team stuurde voor die maand geen export; het cijfer is onbekend, "
        "niet nul. 'Onvolledig': het totaal bevat alleen de teams die leverden.",
    ),
    (
        "verwijzingen",
        "Verwijzingen",
        "Verwijspercentage: van de aanmeldingen die het team in de periode afsloot, het deel dat is doorverwezen "
        "naar specialistische jeugdhulp. Verwijzingen per verwijzer: nieuwe toewijzingen van jeugdhulp in de "
        "periode, naar wie verwees (gemeente of wijkteam, huisarts, jeugdarts, medisch specialist, "
        "gecertificeerde instelling, rechter), volgens de iJw-berichten.",
    ),
    (
        "doorlooptijd",
        "Doorlooptijd en wachtenden",
        "Het aantal kalenderdagen van aanmelding bij het team tot de start van de hulp, voor de aanmeldingen "
        "waarvan de hulp in de periode begon: de mediaan (de helft wacht korter), P80 (80% wacht korter) en het "
        "deel dat binnen de norm startte. Wachtend: aanmeldingen zonder start van de hulp op de laatste dag van de "
        "maand. Per aanbieder: dagen van toewijzing tot start zorg. De hele keten: van aanmelding tot start zorg "
        "bij de aanbieder.",
    ),
    (
        "ots",
        "Ondertoezichtstellingen (OTS)",
        "Het aantal verschillende jeugdigen met een ondertoezichtstelling in de periode, per 1.000 inwoners van 0 "
        "tot en met 17 jaar. Lokaal: uit de iJw-berichten; CBS: uit de statistiek jeugdbescherming, met de status "
        "van het CBS-cijfer (voorlopig, nader voorlopig of definitief).",
    ),
    (
        "uithuisplaatsingen",
        "Uithuisplaatsingen (jeugdhulp met verblijf)",
        "Het aantal verschillende jeugdigen met jeugdhulp met verblijf in de periode, naar vorm: pleegzorg, "
        "gezinsgericht (gezinshuis), gesloten en overig verblijf, per 1.000 inwoners van 0 tot en met 17 jaar. "
        "Een jeugdige in twee vormen telt in het totaal één keer.",
    ),
    (
        "kosten",
        "Kosten",
        "Netto gedeclareerde bedragen (declaraties min creditering) per productcategorie, naar de maand waarin de "
        "zorg is geleverd. Tegenover het budget van het jaar: het budget tot en met de maand en twee prognoses "
        "voor het hele jaar: lineair (uitgaven tot nu gedeeld door de verstreken maanden, maal 12) en naar "
        "seizoen (volgens het verloop van vorig jaar). Late declaraties kunnen recente maanden nog verhogen.",
    ),
    (
        "cbs",
        "Vergelijking met CBS",
        "De lokale cijfers uit de iJw-berichten naast de CBS-cijfers voor dezelfde gemeente en periode, met het "
        "verschil in procenten en de status van het CBS-cijfer. CBS rondt af op vijftallen en telt ook pgb en "
        "aanbieders die geen iJw-berichten sturen; een verschil is daarom normaal, een groot verschil vraagt om "
        "uitleg.",
    ),
    (
        "datakwaliteit",
        "Datakwaliteit",
        "Waarop de cijfers staan: welke teams voor een maand geen export leverden, welke aanbieders geen "
        "declaraties stuurden terwijl er toewijzingen liepen, welk deel van de bestanden van de aanbieders werd "
        "afgekeurd en hoeveel regels in quarantaine staan. Bron: de kwaliteitskaart per aanbieder en de "
        "leveringsstatus van de teams.",
    ),
    (
        "onderdrukt",
        "Onderdrukt",
        "Om te voorkomen dat iemand herkenbaar is, tonen we een aantal van 1 tot de drempel (standaard 10) niet, en "
        "soms ook een ander cijfer waaruit het terug te rekenen zou zijn. Zo'n cel heet 'onderdrukt' en is in de "
        "grafieken gearceerd. Onderdrukt is dus niet nul: 0 betekent echt niemand.",
    ),
]
