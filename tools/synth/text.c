#include <stdio.h>
#include <string.h>

#include "rng.h"
#include "synth.h"
#include "text.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof(a[0])))

static const char *const da_what[] = {
    ("Verbal argument between partners escalated; victim reports being "
    "pushed against a wall."),
    "Neighbour reported shouting and a female screaming at the address.",
    ("Victim called 999 reporting the ex-partner attending the address in "
    "breach of a non-molestation order."),
    ("Victim disclosed being grabbed by the throat during an argument about "
    "money."),
    ("Ex-partner sending repeated abusive messages and threatening to take "
    "the children."),
    "Suspect returned home intoxicated and damaged property in the kitchen.",
    ("Third-party report from a family member concerned about controlling "
    "behaviour."),
    ("Victim reports the partner checks her phone and restricts her access "
    "to money."),
    "Argument at child contact handover; suspect became aggressive.",
    "Suspect kicked the front door and threatened the victim.",
    "Victim reports being locked out of the address overnight.",
    "Coercive and controlling behaviour disclosed during a welfare check.",
    ("Victim reports being slapped and her phone taken so she could not "
    "call for help."),
    "Suspect attended the victim's workplace and made threats to kill.",
};
static const char *const da_action[] = {
    ("Suspect arrested on suspicion of assault occasioning ABH and "
    "interviewed."),
    "Suspect left prior to police arrival; circulated as wanted.",
    "DASH completed; victim declined to support a prosecution.",
    "Body-worn video captured; evidence-led prosecution being considered.",
    "Domestic Violence Protection Notice issued.",
    "No offences disclosed; advice given and DASH completed.",
    "Suspect charged and remanded to appear at the magistrates' court.",
    "Released under investigation; victim given safety advice.",
    "Referral made to the local IDVA service with consent.",
};
static const char *const da_action_sc[] = {
    "Safeguarding referral submitted to children's social care.",
    "Child notification shared with children's social care via the MASH.",
};
static const char *const dvds_ask[] = {
    ("Right to ask application made by the applicant about a new partner. "
    "Panel agreed to disclose previous domestic abuse history."),
    ("Right to ask application received; relevant previous convictions for "
    "violence against former partners disclosed in person."),
    ("Right to ask application; disclosure made with an IDVA present and "
    "a safety plan agreed."),
};
static const char *const dvds_know[] = {
    ("Right to know disclosure authorised by the decision-making panel "
    "following intelligence of a new relationship."),
    ("Proactive disclosure made to the partner of a repeat domestic abuse "
    "perpetrator; safety planning completed."),
    ("Right to know: disclosure made following a MARAC action; partner "
    "signposted to support services."),
};
static const char *const marac[] = {
    "Referred to MARAC following a high-risk DASH assessment.",
    ("Repeat incident within twelve months; referred to MARAC on "
    "professional judgement."),
    "MARAC actions: IDVA support, address flagged, school notified.",
    "Case heard at MARAC; information shared with partner agencies.",
};
static const char *const cin[] = {
    ("Child and family assessment following a police notification of "
    "domestic abuse."),
    ("Assessment completed; children to be supported under a child in need "
    "plan."),
    "Assessment concluded; family stepped down to early help.",
    "Concerns about exposure to domestic abuse and parental alcohol use.",
    ("Assessment completed; parent engaging with a domestic abuse support "
    "programme."),
};
static const char *const cin_unborn[] = {
    "Pre-birth assessment started following a referral from midwifery.",
    ("Pre-birth assessment: history of domestic abuse in previous "
    "relationships."),
};
static const char *const strategy[] = {
    ("Strategy meeting held with police and health; section 47 enquiries "
    "to be undertaken."),
    ("Strategy discussion following a high-risk incident with the children "
    "present."),
    "Strategy meeting agreed a safety plan and a joint visit with police.",
};
static const char *const cpp[] = {
    ("Initial child protection conference: child protection plan under the "
    "category of emotional abuse."),
    "Review child protection conference: plan to continue.",
    ("Child protection plan made; core group to meet within ten working "
    "days."),
};
static const char *const safety[] = {
    ("Safety plan agreed with the parent: no contact with the alleged "
    "perpetrator at the family home."),
    ("Safety plan reviewed; parent to call 999 if the alleged perpetrator "
    "attends."),
    "Written safety plan shared with school and the health visitor.",
    ("Safety plan includes a code word for the children to use with "
    "school staff."),
};
static const char *const mat[] = {
    ("Booking appointment at ten weeks; routine enquiry about domestic "
    "abuse completed and a disclosure made."),
    ("Booking appointment; partner present throughout, routine enquiry "
    "deferred."),
    "Late booking at twenty weeks; safeguarding midwife informed.",
    ("Booking; history of domestic abuse known, referred to the "
    "safeguarding team."),
};
static const char *const hv[] = {
    "New birth visit; routine enquiry about domestic abuse completed.",
    "Developmental review; parent disclosed arguments at home.",
    "Targeted contact following a police notification of domestic abuse.",
    "Missed appointment; follow-up home visit completed.",
    ("Contact at the children's centre; parent appeared anxious and "
    "withdrawn."),
};
static const char *const ed_adult[] = {
    ("Attended with facial bruising; stated she walked into a door. Routine "
    "enquiry declined."),
    ("Attended with a wrist injury; disclosed an assault by her partner. "
    "IDVA referral made."),
    "Attended following an assault at home; police informed with consent.",
    ("Attended with an overdose; disclosed ongoing abuse at home. Mental "
    "health liaison review."),
};
static const char *const ed_child[] = {
    ("Child attended with a head injury; explanation consistent with "
    "history. Safeguarding checks completed."),
    "Child attended with a burn to the hand; delay in presentation noted.",
    "Child attended after a fall; domestic abuse flag noted on the record.",
};
static const char *const sgc_health[] = {
    ("Safeguarding concern raised by the GP after a disclosure of "
    "controlling behaviour."),
    ("Named nurse informed of a police notification; information shared "
    "with the health visitor."),
    "Concern raised by the school nurse following a child's disclosure.",
};
static const char *const school_encompass[] = {
    ("Operation Encompass notification received from police before the "
    "start of the school day; key adult informed."),
    ("Operation Encompass notification; DSL checked in with the pupil at "
    "morning registration."),
};
static const char *const school_concern[] = {
    ("Pupil disclosed arguments at home during a circle time session; DSL "
    "informed."),
    ("Pupil arrived tired and withdrawn; said there had been shouting at "
    "home overnight."),
    ("Attendance concerns; pupil said they stayed home to look after their "
    "mum."),
    "Pupil drew a picture of adults fighting; DSL spoke with the pupil.",
};
static const char *const supervision[] = {
    ("Supervision appointment; discussed the current relationship and "
    "contact with children."),
    "Licence conditions reviewed: no contact with the named victim.",
    "Attended a Building Better Relationships programme session.",
    "Failed to attend; enforcement action considered.",
    ("Home visit with police; new partner identified and a DVDS referral "
    "considered."),
};
static const char *const yj[] = {
    ("Referral order panel; assessment notes exposure to domestic abuse at "
    "home."),
    ("Out-of-court disposal; young person disclosed violence between "
    "adults at home."),
    "Youth conditional caution; intervention plan agreed.",
    "Court-ordered assessment after an arrest for assault on a parent.",
};
static const char *const other[] = {
    ("IDVA referral accepted; safety planning and support with a "
    "non-molestation order."),
    "Client supported at MARAC; target hardening requested.",
    "Outreach support: weekly contact, risk reviewed.",
};
static const char *const other_refuge[] = {
    "Refuge space offered outside the area; address withheld.",
    "Victim and children moved to refuge accommodation; address withheld.",
};

static const char *const voice_young[] = {
    "I hid under the bed",
    "Daddy was shouting at mummy",
    "I was scared",
    "Mummy was crying",
    "He broke the telly",
    "I don't like the shouting",
    "I want my nana",
};
static const char *const voice_older[] = {
    "I hid under the bed when they shouted",
    "I put my headphones on so I couldn't hear",
    "I don't like it when he comes round",
    "I called 999 because mum was crying",
    "I took my little sister upstairs",
    "I just want it to stop",
    "I'm scared to go home",
    "Mum said not to tell anyone",
    "He pushed mum and she fell over",
    "I stayed in my room and turned the music up",
    "I was in bed but I heard it all",
    "I want to live with my nan",
    "It happens every weekend when he's been drinking",
    "I'm worried about my mum",
    "He said he would take us away",
    "I feel safe at school",
    "I try to stop him but he doesn't listen",
};
static const char *const not_captured[] = {
    "child asleep",
    "not spoken to",
    "children in bed at the time of attendance",
    "child at grandparent's address",
    "parent declined for officers to speak to the child",
    "child too distressed to speak to officers",
    "not spoken to; officers focused on arresting the suspect",
};
static const char *const not_captured_young[] = {
    "child too young to give an account",
    "baby asleep in cot",
    "child asleep",
};

#define PICK(r, a) ((a)[synth_rng_below((r), N(a))])

/**
 * synth_text_summary(r, kind, flags, out, outlen):
 * Write a one- or two-sentence summary for a record of ${kind} to ${out}.
 */
void
synth_text_summary(struct synth_rng *r, enum synth_kind kind,
    unsigned flags, char *out, size_t outlen)
{
    const char *a, *b = NULL;

    switch (kind) {
    case SYNTH_K_DA:
        a = PICK(r, da_what);
        if ((flags & SYNTH_TEXT_SC) && (flags & SYNTH_TEXT_CHILDREN) &&
            synth_rng_chance(r, 500))
            b = PICK(r, da_action_sc);
        else
            b = PICK(r, da_action);
        break;
    case SYNTH_K_DVDS:
        a = (flags & SYNTH_TEXT_ASK) ? PICK(r, dvds_ask) : PICK(r, dvds_know);
        break;
    case SYNTH_K_MARAC:
        a = PICK(r, marac);
        break;
    case SYNTH_K_CIN:
        a = (flags & SYNTH_TEXT_UNBORN) ? PICK(r, cin_unborn) : PICK(r, cin);
        break;
    case SYNTH_K_STRATEGY:
        a = PICK(r, strategy);
        break;
    case SYNTH_K_CPP:
        a = PICK(r, cpp);
        break;
    case SYNTH_K_SAFETY:
        a = PICK(r, safety);
        break;
    case SYNTH_K_MAT:
        a = PICK(r, mat);
        break;
    case SYNTH_K_HV:
        a = PICK(r, hv);
        break;
    case SYNTH_K_ED:
        a = (flags & SYNTH_TEXT_CHILD_ED) ? PICK(r, ed_child) :
            PICK(r, ed_adult);
        break;
    case SYNTH_K_SGC:
        a = PICK(r, sgc_health);
        break;
    case SYNTH_K_SCHOOL:
        a = (flags & SYNTH_TEXT_ENCOMPASS) ? PICK(r, school_encompass) :
            PICK(r, school_concern);
        break;
    case SYNTH_K_SUP:
        a = PICK(r, supervision);
        break;
    case SYNTH_K_YJ:
        a = PICK(r, yj);
        break;
    default:
        a = (flags & SYNTH_TEXT_REFUGE) ? PICK(r, other_refuge) :
            PICK(r, other);
        break;
    }
    if (b != NULL)
        snprintf(out, outlen, "%s %s", a, b);
    else
        snprintf(out, outlen, "%s", a);
}

/**
 * synth_text_voice(r, age):
 * Return a short quote, in a child's words, fitting a child of ${age}.
 */
const char *
synth_text_voice(struct synth_rng *r, int age)
{

    return (age < 7) ? PICK(r, voice_young) : PICK(r, voice_older);
}

/**
 * synth_text_not_captured(r, young):
 * Return why the child's voice was not captured; ${young} when every
 * child present was under four.
 */
const char *
synth_text_not_captured(struct synth_rng *r, int young)
{

    return young ? PICK(r, not_captured_young) : PICK(r, not_captured);
}
