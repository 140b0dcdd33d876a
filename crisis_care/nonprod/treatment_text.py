"""The words of the home treatment demo: needs and goals in people's own words, what the team
does about them, and the short notes staff write. All made up, in plain English, and kept here
so treatment_demo.py reads as the shape of the data rather than a wall of text."""

from crisis_care.treatment.models import InterventionKind, Progress

K = InterventionKind

# (what I need help with, what I want to achieve, theme). The theme picks the interventions.
NEEDS_AND_GOALS: tuple[tuple[str, str, str], ...] = (
    ("I can't sleep and my head won't stop.", "Sleep through most nights by next week.", "sleep"),
    (
        "I'm frightened of being on my own at night.",
        "Know who to ring at night and feel safe enough to stay at home.",
        "safety",
    ),
    (
        "I keep thinking everyone would be better off without me.",
        "Get through each day safely and use my safety plan when it gets bad.",
        "safety",
    ),
    (
        "I've stopped eating properly and there's nothing in the fridge.",
        "Eat two proper meals a day and get a food shop in.",
        "food",
    ),
    (
        "The letters about the rent are piling up and I can't open them.",
        "Open the letters with someone and make a plan with the landlord.",
        "money",
    ),
    (
        "My Universal Credit was stopped and I've got no money.",
        "Get my benefits sorted so I can pay for gas and food.",
        "money",
    ),
    (
        "The voices get louder when I'm on my own.",
        "Know what makes the voices worse and have ways to cope with them.",
        "psychosis",
    ),
    (
        "I think the neighbours are watching me and I can't settle.",
        "Feel calm enough to stay in my own flat.",
        "psychosis",
    ),
    (
        "My tablets make me feel like a zombie.",
        "Find a medicine that helps without knocking me out.",
        "medication",
    ),
    (
        "I stopped my medication because of the weight gain.",
        "Talk to the doctor about what I take and start something I'm happy with.",
        "medication",
    ),
    (
        "I have panic attacks when I try to go to the shop.",
        "Walk to the corner shop on my own by the end of the month.",
        "anxiety",
    ),
    (
        "I'm drinking every night to get to sleep.",
        "Cut down to no more than two nights a week.",
        "alcohol",
    ),
    ("My mum is worn out looking after me.", "Mum gets some support and a break.", "carer"),
    (
        "I keep arguing with my partner and the kids are getting upset.",
        "Have a calmer home and talk things through with my partner.",
        "family",
    ),
    (
        "I haven't seen any of my friends for weeks.",
        "Meet up with one friend this week.",
        "social",
    ),
    (
        "I'm scared I'll lose my job.",
        "Speak to my manager, with help, about a phased return.",
        "work",
    ),
    (
        "I stay in bed all day and the days just disappear.",
        "Get up by ten and do one thing each day.",
        "routine",
    ),
    (
        "I don't understand what's happening to me.",
        "Understand my diagnosis and what the treatment is for.",
        "understanding",
    ),
    (
        "The flat is freezing and the boiler's broken.",
        "Get the boiler fixed and the heating back on.",
        "practical",
    ),
    (
        "I might be evicted at the end of the month.",
        "Keep my home, or know I have somewhere safe to go.",
        "housing",
    ),
    (
        "I cut myself when it all gets too much.",
        "Use other ways to cope when I get the urge.",
        "safety",
    ),
    (
        "I don't want to end up back in hospital.",
        "Stay at home and know the signs that I'm getting unwell again.",
        "relapse",
    ),
    (
        "I've got a court date and I can't think about it.",
        "Get a solicitor and go to court with someone with me.",
        "legal",
    ),
    (
        "My sugar levels are all over the place since I stopped eating.",
        "Get my diabetes checked and back under control.",
        "physical",
    ),
    (
        "I'm tired all the time and I've put on weight.",
        "Have a health check and some blood tests.",
        "physical",
    ),
    (
        "I can't stop crying and I don't know why.",
        "Feel a bit more like myself and have some good days.",
        "mood",
    ),
    (
        "Since Dad died I can't face anything.",
        "Talk about Dad and start doing things again.",
        "mood",
    ),
    (
        "I worry about everything, all the time.",
        "Have some ways to calm the worry that I can use myself.",
        "anxiety",
    ),
    (
        "I want to go back to college in September.",
        "Get well enough to go back and tell college what help I need.",
        "work",
    ),
    (
        "I'm not taking my tablets properly because I forget.",
        "Take my tablets every day, with a blister pack and a reminder on my phone.",
        "medication",
    ),
    (
        "I feel like a burden on my family.",
        "Let my family help in a way that feels OK for me.",
        "family",
    ),
    (
        "I've been spending money I haven't got when I'm high.",
        "Have someone I trust hold my bank card until I'm settled.",
        "money",
    ),
)

# The interventions that answer each theme, best first.
THEME_INTERVENTIONS: dict[str, tuple[str, ...]] = {
    "sleep": (K.DAILY_ROUTINE, K.MEDICATION_REVIEW, K.BRIEF_PSYCHOLOGICAL),
    "safety": (K.SAFETY_PLANNING, K.BRIEF_PSYCHOLOGICAL),
    "food": (K.PRACTICAL_FOOD_HEATING,),
    "money": (K.BENEFITS_DEBT,),
    "psychosis": (K.MEDICATION_REVIEW, K.PSYCHOEDUCATION, K.BRIEF_PSYCHOLOGICAL),
    "medication": (K.MEDICATION_REVIEW, K.PRESCRIBING, K.PSYCHOEDUCATION),
    "anxiety": (K.BRIEF_PSYCHOLOGICAL, K.PSYCHOEDUCATION),
    "alcohol": (K.SUBSTANCE_USE,),
    "carer": (K.CARER_SUPPORT,),
    "family": (K.FAMILY_NETWORK,),
    "social": (K.SOCIAL_CONNECTION,),
    "work": (K.LEGAL,),
    "routine": (K.DAILY_ROUTINE,),
    "understanding": (K.PSYCHOEDUCATION,),
    "practical": (K.PRACTICAL_FOOD_HEATING,),
    "housing": (K.HOUSING,),
    "relapse": (K.RELAPSE_PREVENTION,),
    "legal": (K.LEGAL,),
    "physical": (K.PHYSICAL_HEALTH,),
    "mood": (K.BRIEF_PSYCHOLOGICAL, K.DAILY_ROUTINE, K.MEDICATION_REVIEW),
}

INTERVENTION_DETAIL: dict[str, tuple[str, ...]] = {
    K.MEDICATION_REVIEW: (
        "Review medication at the first visit and again at the weekly MDT; ask about side "
        "effects each visit.",
        "Doctor to review current medicines with them at home this week.",
    ),
    K.PRESCRIBING: (
        "Team prescriber to prescribe and review; changes explained and written down for them.",
        "Short course prescribed by the team; stop when sleep settles.",
    ),
    K.MEDICATION_DELIVERY: (
        "Team collects from the pharmacy and brings a week's supply at the morning visit.",
        "Daily supply brought at each visit while at risk; partner keeps the rest locked away.",
    ),
    K.BRIEF_PSYCHOLOGICAL: (
        "Four sessions with the team psychologist: making sense of the crisis and coping skills.",
        "Brief problem-solving sessions at visits, using the worksheet they keep.",
        "Grounding and breathing techniques practised at each visit.",
    ),
    K.PSYCHOEDUCATION: (
        "Talk through the diagnosis and what the medication is for; leaflet given.",
        "Explain early warning signs and how treatment helps, at their pace.",
    ),
    K.PRACTICAL_FOOD_HEATING: (
        "Food bank voucher this week; help with a shopping list and a weekly shop.",
        "Ring the landlord about the boiler; emergency heater from the council until then.",
    ),
    K.BENEFITS_DEBT: (
        "Help to ring Universal Credit and ask for an advance; referral to Citizens Advice.",
        "Sit with them to open the letters and make a list of who is owed what.",
    ),
    K.HOUSING: (
        "Referral to the council's housing options team; letter of support from the team.",
        "Ring the landlord with them to agree a plan for the arrears.",
    ),
    K.LEGAL: (
        "Help to find a duty solicitor and a letter for the court about their health.",
        "Fit note from the GP; support to talk to their manager about a phased return.",
    ),
    K.PHYSICAL_HEALTH: (
        "Blood pressure, weight and bloods at home; results to the GP.",
        "Ask the GP to check sugars this week; remind about meals and insulin.",
    ),
    K.FAMILY_NETWORK: (
        "Meet with them and their partner together at one visit a week.",
        "Agree with them who in the family to talk to, and what to say.",
    ),
    K.CARER_SUPPORT: (
        "Separate time with the carer to talk about their own needs; carers' centre details.",
        "Offer the carer a referral for a carer's assessment and the team number any time.",
    ),
    K.RELAPSE_PREVENTION: (
        "Write a relapse prevention plan together before discharge: signs, triggers, who to call.",
        "Go through what helped this time and put it in a plan to keep.",
    ),
    K.SAFETY_PLANNING: (
        "Review the safety plan at each visit; keep a copy by the phone.",
        "Update the safety plan with them when things change.",
    ),
    K.DAILY_ROUTINE: (
        "Keep a sleep and activity diary; plan one small thing each day.",
        "Regular bedtime, no screens after eleven, a walk each morning.",
    ),
    K.SOCIAL_CONNECTION: (
        "Support to go to the crisis café on Thursday evening.",
        "Plan a meet-up with a friend; peer support worker to go along the first time.",
    ),
    K.SUBSTANCE_USE: (
        "Drink diary and agreed limits; referral to Turning Point if they want it.",
        "Talk about what drinking does to sleep and mood; safer drinking leaflet.",
    ),
}

STRENGTHS = (
    "Good sense of humour. Close to their sister. Has got through hard times before.",
    "Loves their dog and walks her every day. Good cook when well.",
    "Determined, and wants to get back to work. Knows what helped last time.",
    "Creative: paints and listens to music. Talks to an old friend online most evenings.",
    "Faith is important to them. Supportive partner at home.",
    "Has kept their tenancy for years. Likes gardening and the allotment.",
    "Honest about how they feel. Enjoys football with their son at the weekend.",
    "Practical and organised when well. Good friends at the gym.",
)
PREFERENCES = (
    "Morning visits, please; the evening tablets make me sleepy.",
    "I'd rather see the same one or two people. Please text before you come.",
    "I want to stay at home, not go into hospital. I don't want my neighbours to know.",
    "I'd like a female worker if possible.",
    "Phone first; I don't open the door to people I'm not expecting.",
    "I'd like my partner there when we talk about medication.",
    "I don't want to try any new tablets yet; I want to try talking first.",
    "Please don't come before ten. Afternoons are better.",
)

PAIRED_REASONS = (
    "Ex-partner with a history of violence sometimes at the address; police aware.",
    "Made threats towards staff during the last admission.",
    "Dog at the address has bitten a visitor; two staff so one can be with the person.",
    "Brother at the address has been aggressive to visitors when drinking.",
    "Paranoid about the team at present and has kept a knife by the door.",
)
NAMED_WORKER_REASONS = (
    "Named worker on annual leave for two weeks.",
    "Named worker moved to nights; handed over at the morning handover.",
    "They asked for a female worker.",
    "Caseload rebalanced across the team at the MDT.",
    "Better match: the new worker speaks their first language.",
    "Named worker off sick; handed over to keep visits consistent.",
)
CLOSING_NOTES = (
    "Crisis resolved. Back to the GP with a written discharge plan.",
    "Handed over to the community mental health team at the discharge meeting.",
    "Doing well; discharged with a relapse prevention plan and crisis numbers.",
    "Admitted to the Bradgate Unit; home treatment ended.",
    "Discharged to the GP; carer given the team number and the crisis line.",
)
REVIEW_CONTINUE = (
    "Still having thoughts of ending their life most evenings; not yet safe to reduce visits.",
    "Medication changed last week; needs time to see if it helps before discharge.",
    "Housing crisis not yet resolved and it is keeping the crisis going; continue for two weeks.",
    "Improving but not yet sleeping; continue daily visits and review again in a fortnight.",
)
REVIEW_DISCHARGE = (
    "Much improved: sleeping and eating, no thoughts of suicide for a week. Plan discharge.",
    "CMHT care coordinator allocated; plan a joint discharge meeting next week.",
    "Goals mostly met; taper visits and plan discharge to the GP.",
)

PROGRESS_NOTES: dict[str, tuple[str, ...]] = {
    Progress.WORSE: (
        "A hard couple of days; stayed in bed and did not want to talk.",
        "Worse since the letter came; we went back over the plan.",
        "Things are harder this week. More visits agreed.",
    ),
    Progress.NO_CHANGE: (
        "Still the same; we went through the plan again.",
        "No change yet, but willing to keep trying.",
        "Not managed it this week; agreed a smaller step.",
    ),
    Progress.SOME: (
        "Managed it on two days this week.",
        "A bit better; made a start with help.",
        "Some good days now. Proud of getting out once.",
    ),
    Progress.GOOD: (
        "Doing this most days now without prompting.",
        "Says this feels much better and wants to carry it on alone.",
        "Managed it on their own this week.",
    ),
}

VISIT_PURPOSES: dict[str, str] = {
    "first": "First home visit: agree the care plan and visit times",
    "review": "Daily review of mood, sleep and safety",
    "medication": "Medication review with a prescriber",
    "psychology": "Brief psychological session",
    "discharge": "Discharge visit: go through the discharge plan",
    K.BENEFITS_DEBT: "Help with the benefits claim and letters",
    K.PRACTICAL_FOOD_HEATING: "Food shop and practical help at home",
    K.HOUSING: "Help with the housing problem",
    K.PHYSICAL_HEALTH: "Physical health check: blood pressure, weight, bloods",
    K.FAMILY_NETWORK: "Visit with the family",
    K.CARER_SUPPORT: "Time with the carer",
    K.RELAPSE_PREVENTION: "Relapse prevention planning",
    K.SOCIAL_CONNECTION: "Go to the crisis café together",
    K.MEDICATION_DELIVERY: "Bring the week's medication",
}
OTHER_PLACES = (
    "Crisis café (Turning Point), Leicester",
    "Their sister's house",
    "GP surgery, for the physical health check",
    "Local park: walk and talk, at their request",
    "Library meeting room",
)

SEEN_OPENERS: dict[str, tuple[str, ...]] = {
    "home": (
        "Seen at home.",
        "Seen at home; their partner was there for part of the visit.",
        "Seen at home in the kitchen over a cup of tea.",
        "Seen at home with their mum, with their agreement.",
    ),
    "team_base": ("Seen at the team base at their request.",),
    "other": ("Met as planned away from home.", "Seen away from home at their request."),
}
SEEN_MIDDLES = (
    "Mood a little brighter; slept about five hours.",
    "Tearful at times but able to talk about the week.",
    "Took medication as prescribed; no side effects reported.",
    "Went through the safety plan; says it is still useful.",
    "No thoughts of ending their life today; talking about next week.",
    "Still hearing the voice at night but finding it less distressing.",
    "Ate breakfast while we were there; fridge has some food in now.",
    "Anxious about the benefits appointment; practised what to say.",
    "Flat tidier; has been out for a short walk each day.",
    "Low and flat; says the evenings are the worst time.",
    "Talked about their dad; first time they have wanted to.",
    "Less suspicious of the neighbours; sleeping in the bedroom again.",
)
SEEN_PLANS = (
    "Next visit as planned.",
    "Plan: phone this evening, visit tomorrow morning.",
    "To discuss medication at tomorrow's MDT.",
    "Agreed to ring the team at night if the feelings get stronger.",
    "Continue daily visits; named worker to see them on Thursday.",
)
NOT_AT_HOME_NOTES = (
    "No answer at the door. Phoned twice with no answer; card left. Coordinator told; will try "
    "again this afternoon.",
    "Not at home. Neighbour says they went out with their sister this morning. Phoned and left "
    "a message.",
    "No answer. Rang their partner (consent to share): they are at the GP. Visit rearranged.",
)
DECLINED_NOTES = (
    "Came to the door but did not want a visit today. Says they are OK; agreed to a phone call "
    "this evening.",
    "Declined the visit: tired and wanted to be left alone. No concerns about safety raised. "
    "Will phone later.",
)
CANCELLED_BY_PERSON_NOTES = (
    "Rang to say they are going to their sister's today; visit moved to tomorrow.",
    "Rang to cancel: has a hospital appointment this morning. Phone call agreed for the afternoon.",
)
CANCELLED_BY_TEAM_NOTES = (
    "Two urgent assessments this morning; rang to rearrange for this evening. They were fine "
    "with that.",
    "Staff off sick; rang to move the visit to this afternoon.",
)
PHONE_NOTES = (
    "Rang the team feeling panicky; talked through breathing and the safety plan. Settled by the "
    "end of the call.",
    "Phoned to check in after yesterday's visit; says today has been better.",
    "Rang in the night unable to sleep; talked for a while and agreed to try the relaxation "
    "track. Visit in the morning as planned.",
    "Phoned about the medication delivery time; told it comes with the morning visit.",
    "Carer rang worried (consent to share): spoke to both; no immediate risk. Visit tomorrow.",
)
VIDEO_NOTES = ("Video call at their request; mood steady, plans for the weekend discussed.",)

# (name, doses from lowest, how often, group). Common medicines in crisis care; doses are
# ordinary adult doses from the usual ranges.
MEDICINES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("Sertraline", ("50 mg", "100 mg", "150 mg"), "Once a day in the morning", "antidepressant"),
    ("Fluoxetine", ("20 mg", "40 mg"), "Once a day in the morning", "antidepressant"),
    ("Citalopram", ("10 mg", "20 mg", "40 mg"), "Once a day", "antidepressant"),
    ("Mirtazapine", ("15 mg", "30 mg", "45 mg"), "At night", "antidepressant"),
    (
        "Venlafaxine modified-release",
        ("75 mg", "150 mg", "225 mg"),
        "Once a day with food",
        "antidepressant",
    ),
    ("Olanzapine", ("5 mg", "10 mg", "15 mg", "20 mg"), "At night", "antipsychotic"),
    ("Quetiapine", ("25 mg", "50 mg", "100 mg", "200 mg"), "Twice a day", "antipsychotic"),
    ("Aripiprazole", ("5 mg", "10 mg", "15 mg"), "Once a day in the morning", "antipsychotic"),
    ("Risperidone", ("1 mg", "2 mg", "3 mg"), "Twice a day", "antipsychotic"),
    ("Lithium carbonate (Priadel)", ("400 mg", "600 mg", "800 mg"), "At night", "mood"),
    ("Sodium valproate (Epilim Chrono)", ("500 mg", "1,000 mg"), "Twice a day", "mood"),
    ("Zopiclone", ("3.75 mg", "7.5 mg"), "At night when needed, for up to two weeks", "short"),
    ("Lorazepam", ("0.5 mg", "1 mg"), "Up to three times a day when needed, short term", "short"),
    ("Promethazine", ("10 mg", "25 mg"), "At night when needed", "short"),
    ("Propranolol", ("10 mg", "20 mg"), "Up to three times a day when anxious", "anxiety"),
)
# How often each is seen, roughly: antidepressants and the newer antipsychotics most often,
# lithium and valproate for the few with bipolar disorder.
MEDICINE_WEIGHTS = (14, 8, 8, 12, 6, 9, 9, 6, 4, 3, 2, 8, 4, 4, 5)
RECORDED_DETAILS = (
    "Prescribed by the GP; says they take it every day.",
    "Prescribed by the GP; misses a dose most weeks.",
    "From the CMHT psychiatrist; taking as prescribed.",
    "Stopped taking it for a few days before the crisis; has restarted.",
)
STARTED_DETAILS = (
    "Started for sleep while in crisis; review in a week.",
    "Started after discussion at home; side effects explained and leaflet given.",
    "Restarted at the dose that helped before.",
)
REVIEWED_DETAILS = (
    "Reviewed at home: no side effects; carry on.",
    "Reviewed at the MDT: keep the dose as it is for now.",
)
STOPPED_DETAILS = (
    "Stopped because of side effects (dizziness); GP told.",
    "Stopped at their request after talking it through; GP told.",
)
STOPPED_SHORT_DETAILS = ("Stopped: sleeping again without it.", "Short course finished.")
SUPPLIES = ("7 days", "3 days", "Weekly blister pack (7 days)", "2 days, until the pharmacy opens")
