"""Seed the directory with the public services the source documents name.

Sources: shared/seeds/000 (LPT crisis team page), 001 (2019 media release: the crisis
café), 002 (Leicestershire County Council Crisis Response Service) and DOMAIN.md §1.4
(Central Access Point). Samaritans, NHS 111 and 999 are national public numbers.

Nothing is invented: where the sources give no phone number, website or opening times,
the field is left blank for the team to fill in, and `assured_date` is left empty so the
directory shows the details have not yet been checked.

Rows have fixed ids (uuid5 of a slug) so later data migrations can refer to them.
"""

import uuid

from django.db import migrations

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://crisis-care.example/directory/")


def seed_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, slug)


CATEGORIES = [
    ("crisis_line", "Crisis line"),
    ("crisis_cafe", "Crisis café"),
    ("crisis_team", "Mental health crisis team"),
    ("emergency", "Emergency"),
    ("nhs_urgent_care", "NHS urgent care"),
    ("community_mental_health", "Community mental health"),
    ("gp", "GP"),
    ("social_care", "Social care"),
    ("carer_support", "Carer support"),
    ("support_group", "Support group"),
    ("peer_support", "Peer support"),
    ("housing", "Housing"),
    ("money_and_benefits", "Money and benefits"),
    ("substance_use", "Drugs and alcohol"),
    ("bereavement", "Bereavement"),
]

ORGANIZATIONS = {
    "lpt": {
        "name": "Leicestershire Partnership NHS Trust",
        "description": (
            "Integrated mental health, learning disability and community health services "
            "for about a million people in Leicester, Leicestershire and Rutland."
        ),
        "website": "https://www.leicspart.nhs.uk",
    },
    "turning-point": {
        "name": "Turning Point",
        "description": (
            "Partner of Leicestershire Partnership NHS Trust in crisis care: runs the "
            "crisis café and answers the 24/7 mental health line."
        ),
    },
    "lcc": {"name": "Leicestershire County Council"},
    "mind": {"name": "Mind"},
    "lamp": {"name": "LAMP"},
    "citizens-advice": {"name": "Citizens Advice"},
    "samaritans": {"name": "Samaritans"},
    "nhs": {"name": "NHS"},
}

SERVICES = [
    {
        "slug": "emergency-999",
        "organization": None,
        "name": "999 emergency services",
        "description": "Call 999 if life is at risk.",
        "who_it_is_for": "Anyone whose life, or someone else's, is at risk.",
        "hours_description": "24 hours, every day",
        "area": "national",
        "categories": ["emergency"],
        "phones": [("999", "Emergency: call if life is at risk")],
        "is_crisis_help": True,
        "crisis_help_order": 10,
    },
    {
        "slug": "llr-central-access-point",
        "organization": "lpt",
        "name": "24/7 mental health line (LLR Central Access Point)",
        "description": (
            "A mental health line open 24 hours a day, by phone or text, with British Sign "
            "Language (BSL) and interpreting. Turning Point recovery workers answer and "
            "transfer calls to Leicestershire Partnership NHS Trust staff when needed. "
            "Urgent call-back within 4 hours and an assessment of need within 24 hours; "
            "non-urgent call-back within 4 working days."
        ),
        "who_it_is_for": "People in Leicester, Leicestershire and Rutland who need mental health help.",
        "hours_description": "24 hours, every day",
        "area": "llr",
        "categories": ["crisis_line"],
        "phones": [
            (
                "0808 800 3302",
                "Free to call, 24 hours. Text, BSL and interpreting are also available.",
            )
        ],
        "takes_referrals": True,
        "referral_how": "People can call themselves, at any time of day or night.",
        "is_crisis_help": True,
        "crisis_help_order": 20,
    },
    {
        "slug": "nhs-111",
        "organization": "nhs",
        "name": "NHS 111",
        "description": (
            "Urgent NHS help and advice, 24 hours a day. Call 111 and choose the mental "
            "health option."
        ),
        "who_it_is_for": "Anyone who needs urgent help but whose life is not at risk.",
        "hours_description": "24 hours, every day",
        "area": "national",
        "categories": ["nhs_urgent_care"],
        "phones": [("111", "Free. Choose the mental health option.")],
        "is_crisis_help": True,
        "crisis_help_order": 30,
    },
    {
        "slug": "llr-crisis-resolution-home-treatment",
        "organization": "lpt",
        "name": "Crisis Resolution and Home Treatment Team",
        "description": (
            "Rapid assessment for people in a mental health crisis so severe that, without "
            "the team, they would need to go into hospital. If right for them, intensive "
            "treatment at home for a short time, then care passes back to the GP or on to "
            "other secondary services. After a referral the team makes contact, by phone or "
            "in person, the same day. Assessments are usually by two people, one a "
            "registered mental health practitioner, and most take place at home."
        ),
        "who_it_is_for": (
            "Adults aged 18 to 65 living in Leicester, Leicestershire or Rutland, in a "
            "mental health crisis. People over 65 are seen by the older people's team; "
            "16 to 18 year olds by CAMHS."
        ),
        "hours_description": "24 hours a day, 365 days a year",
        "area": "llr",
        "area_description": "Only within these boundaries",
        "categories": ["crisis_team"],
        "phones": [("0300 300 1010", "")],
        "takes_referrals": True,
        "referral_how": (
            "Mainly through the GP. People already treated by the trust can be referred by "
            "their mental health professional. Anyone else should speak to their GP or "
            "another healthcare professional involved in their care."
        ),
        "location": {
            "slug": "bradgate-unit",
            "name": "Bradgate Unit, Glenfield Hospital",
            "address_1": "Groby Road",
            "description": "Post: The Crisis Resolution and Home Treatment Team, Bradgate Unit, Groby Road, Glenfield Hospital.",
        },
        "is_crisis_help": True,
        "crisis_help_order": 40,
    },
    {
        "slug": "crisis-cafe",
        "organization": "turning-point",
        "name": "Crisis café",
        "description": (
            "A city-based drop-in crisis café run by Turning Point with Leicestershire "
            "Partnership NHS Trust."
        ),
        "who_it_is_for": "Adults in mental health crisis.",
        "hours_description": "Three evenings a week; check times before you go",
        "area": "leicester",
        "area_description": "City-based drop-in",
        "categories": ["crisis_cafe"],
        "is_crisis_help": True,
        "crisis_help_order": 50,
    },
    {
        "slug": "samaritans",
        "organization": "samaritans",
        "name": "Samaritans",
        "description": "Someone to talk to, any time, about anything.",
        "who_it_is_for": "Anyone who is struggling to cope.",
        "hours_description": "24 hours, every day",
        "area": "national",
        "categories": ["crisis_line"],
        "phones": [("116 123", "Free, 24 hours a day, every day")],
        "is_crisis_help": True,
        "crisis_help_order": 60,
    },
    {
        "slug": "lcc-crisis-response-service",
        "organization": "lcc",
        "name": "Crisis Response Service (CRS)",
        "description": (
            "Adult social care, community nursing and health therapy working together to "
            "support people in a health or social care crisis at home who would otherwise "
            "go into hospital or a care home. Aims to respond within 2 hours where needed. "
            "Also gives short-term care and assessment after hospital discharge "
            "(reablement)."
        ),
        "who_it_is_for": (
            "People in Leicestershire at risk of going into hospital or a care home without "
            "urgent help: for example a sudden deterioration, a fall that does not need "
            "hospital, needing urgent support on coming home from hospital, or a carer "
            "crisis (their main carer rushed into hospital or unable to cope)."
        ),
        "hours_description": "24 hours a day, 7 days a week",
        "area": "leicestershire",
        "categories": ["social_care", "carer_support"],
        "phones": [
            ("0116 305 0495", "Crisis Response Service"),
            ("0116 305 0004", "Customer Service Centre"),
        ],
        "takes_referrals": True,
        "referral_how": "Call the Crisis Response Service or the council's Customer Service Centre.",
    },
    {
        "slug": "community-mental-health-team",
        "organization": "lpt",
        "name": "Community mental health team (CMHT)",
        "description": (
            "Ongoing mental health care in the community. When a crisis is resolved, the "
            "crisis team usually hands care over formally to the CMHT."
        ),
        "who_it_is_for": "Adults who need ongoing secondary mental health care.",
        "area": "llr",
        "categories": ["community_mental_health"],
        "takes_referrals": True,
        "referral_how": "Through the person's GP or care coordinator.",
    },
    {
        "slug": "your-gp",
        "organization": None,
        "name": "Your GP",
        "description": (
            "The person's own GP practice. After home treatment, care passes back to the "
            "GP; the GP can refer to the crisis team again if needed."
        ),
        "who_it_is_for": "Anyone registered with a GP practice.",
        "hours_description": "Check the practice's opening times",
        "area": "national",
        "categories": ["gp"],
    },
    {
        "slug": "mind",
        "organization": "mind",
        "name": "Mind",
        "description": (
            "Mental health charity named by the crisis team as a support group. Check which "
            "local groups run, and what they offer, before signposting."
        ),
        "categories": ["support_group"],
    },
    {
        "slug": "lamp",
        "organization": "lamp",
        "name": "LAMP",
        "description": (
            "Support group named by the crisis team. Check what it offers before "
            "signposting."
        ),
        "categories": ["support_group"],
    },
    {
        "slug": "citizens-advice",
        "organization": "citizens-advice",
        "name": "Citizens Advice",
        "description": (
            "Free advice named by the crisis team as a source of support, for example on "
            "money, benefits and housing. Check local contact details before signposting."
        ),
        "categories": ["support_group", "money_and_benefits", "housing"],
    },
]


def seed(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    Organization = apps.get_model("directory", "Organization")
    Service = apps.get_model("directory", "Service")
    ServiceTaxonomy = apps.get_model("directory", "ServiceTaxonomy")
    Phone = apps.get_model("directory", "Phone")
    Location = apps.get_model("directory", "Location")
    ServiceAtLocation = apps.get_model("directory", "ServiceAtLocation")

    taxonomies = {
        code: Taxonomy.objects.create(id=seed_id(f"taxonomy/{code}"), code=code, name=name)
        for code, name in CATEGORIES
    }
    organizations = {
        slug: Organization.objects.create(id=seed_id(f"organization/{slug}"), **fields)
        for slug, fields in ORGANIZATIONS.items()
    }
    for entry in SERVICES:
        entry = dict(entry)
        slug = entry.pop("slug")
        org = entry.pop("organization")
        categories = entry.pop("categories", [])
        phones = entry.pop("phones", [])
        location = entry.pop("location", None)
        service = Service.objects.create(
            id=seed_id(f"service/{slug}"),
            organization=organizations[org] if org else None,
            **entry,
        )
        for code in categories:
            ServiceTaxonomy.objects.create(service=service, taxonomy=taxonomies[code])
        for order, (number, description) in enumerate(phones):
            Phone.objects.create(
                service=service, number=number, description=description, order=order
            )
        if location:
            location = dict(location)
            place = Location.objects.create(
                id=seed_id(f"location/{location.pop('slug')}"), **location
            )
            ServiceAtLocation.objects.create(service=service, location=place)


def unseed(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    Organization = apps.get_model("directory", "Organization")
    Location = apps.get_model("directory", "Location")
    Taxonomy = apps.get_model("directory", "Taxonomy")
    Service.objects.filter(id__in=[seed_id(f"service/{s['slug']}") for s in SERVICES]).delete()
    Location.objects.filter(id=seed_id("location/bradgate-unit"), service_links__isnull=True).delete()
    # Seeded organisations and terms that services added since still use are kept.
    Organization.objects.filter(
        id__in=[seed_id(f"organization/{slug}") for slug in ORGANIZATIONS],
        services__isnull=True,
    ).delete()
    Taxonomy.objects.filter(
        id__in=[seed_id(f"taxonomy/{code}") for code, _ in CATEGORIES], services__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
