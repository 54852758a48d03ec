//! `serve --demo`: a fictional shelter with two registers, three users and requests in
//! several states, so a newcomer can try every endpoint at once.

use chrono::Days;
use serde_json::json;

use super::actions::{self, ActionInput};
use super::admin::{self, NewOrganisation, RegisterInput, UserInput};
use super::auth::{hash_password, random_token};
use super::submissions::submit_direct;
use super::{Context, Principal, ServiceError};
use crate::db::orgs;
use crate::domain::enums::{IdentityMethod, Outcome, Role};
use crate::domain::workflow::Action;

pub const DEMO_ORG: &str = "turvakoti-satama";

pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub password: String,
}

pub struct DemoReport {
    pub created: bool,
    pub logins: Vec<DemoLogin>,
}

const USERS: &[(&str, &str, &str, Role)] = &[
    (
        "staff@satama.example",
        "Sanna Sosiaalityöntekijä",
        "sosiaalityöntekijä",
        Role::Staff,
    ),
    (
        "dpo@satama.example",
        "Tero Tietosuojavastaava",
        "tietosuojavastaava",
        Role::Dpo,
    ),
    (
        "admin@satama.example",
        "Anu Ylläpitäjä",
        "järjestelmän ylläpitäjä",
        Role::Admin,
    ),
];

/// Creates the demonstration organisation if missing; always gives the demo users fresh
/// passwords, since the old ones cannot be shown again.
pub fn ensure(ctx: &Context) -> Result<DemoReport, ServiceError> {
    let mut conn = ctx.conn()?;
    if let Some(org) = orgs::find_organisation_by_slug(&mut conn, DEMO_ORG)? {
        let mut logins = Vec::new();
        for (email, _, _, role) in USERS {
            if let Some(user) =
                orgs::find_user_by_email(&mut conn, email)?.filter(|u| u.org_id == org.id)
            {
                let password = random_token(12);
                orgs::set_password(&mut conn, &user.id, &hash_password(&password)?)?;
                logins.push(DemoLogin {
                    email: email.to_string(),
                    role: *role,
                    password,
                });
            }
        }
        return Ok(DemoReport {
            created: false,
            logins,
        });
    }

    let org = admin::create_organisation(
        &mut conn,
        NewOrganisation {
            slug: DEMO_ORG.into(),
            name: "Turvakoti Satama ry (demo)".into(),
            business_id: Some("1572860-0".into()),
            reference_prefix: Some("SAT".into()),
            profile: admin::OrganisationProfile {
                postal_address: Some("PL 123, 00101 Helsinki".into()),
                email: Some("tietosuoja@satama.example".into()),
                phone: Some("09 123 4567".into()),
                public_authority: false,
                authority_contact: None,
                oidc: None,
                appeal: None,
                default_language: Default::default(),
            },
        },
    )?;
    admin::create_register(&mut conn, &org.id, None, RegisterInput {
            slug: "turvakoti".into(),
            name: "Turvakodin asiakasrekisteri".into(),
            description: Some("Turvakotijaksojen asiakastiedot: henkilö- ja yhteystiedot, asiakassuunnitelmat, päivittäiset kirjaukset.".into()),
            info: admin::RegisterInfo {
                purposes: Some("Turvakotipalvelun järjestäminen, toteuttaminen ja seuranta sekä asiakkaan turvallisuuden varmistaminen.".into()),
                legal_basis: Some("Lakisääteinen velvoite: sosiaalihuoltolaki (1301/2014) ja laki sosiaali- ja terveydenhuollon asiakastietojen käsittelystä (703/2023).".into()),
                data_categories: Some("Henkilö- ja yhteystiedot, turvakieltotieto, asiakassuunnitelma, päivittäiset kirjaukset, yhteydet viranomaisiin.".into()),
                recipients: Some("Tietoja luovutetaan vain asiakkaan suostumuksella tai lain perusteella, esimerkiksi lastensuojelulle ja poliisille.".into()),
                sources: Some("Asiakas itse, lähettävä viranomainen ja henkilökunnan kirjaukset.".into()),
                retention: Some("Asiakasasiakirjat säilytetään lain 703/2023 liitteen mukaisesti.".into()),
                transfers: Some("Tietoja ei siirretä EU:n tai ETA:n ulkopuolelle.".into()),
                retention_rules: Vec::new(),
                translations: [
                    (crate::domain::enums::Language::Sv, admin::RegisterTexts {
                        name: Some("Skyddshemmets klientregister".into()),
                        description: Some("Klientuppgifter från skyddshemsperioder: person- och kontaktuppgifter, klientplaner, dagliga anteckningar.".into()),
                        ..Default::default()
                    }),
                    (crate::domain::enums::Language::En, admin::RegisterTexts {
                        name: Some("Shelter client register".into()),
                        description: Some("Client data from shelter stays: personal and contact details, client plans, daily entries.".into()),
                        ..Default::default()
                    }),
                ]
                .into(),
            },
        },
    )?;
    admin::create_register(
        &mut conn,
        &org.id,
        None,
        RegisterInput {
            slug: "avopalvelut".into(),
            name: "Avopalveluiden asiakasrekisteri".into(),
            description: Some("Avokriisityön ja eroauttamisen asiakastiedot.".into()),
            info: admin::RegisterInfo {
                purposes: Some("Avokriisityön ja eroauttamisen järjestäminen.".into()),
                retention: Some(
                    "Kirjaukset säilytetään noin vuoden asiakkuuden päättymisestä.".into(),
                ),
                retention_rules: vec![crate::domain::retention::RetentionRule {
                    code: "working_age_services".into(),
                    years: 1,
                    start: crate::domain::retention::RetentionStart::CaseClosed,
                    sampling: false,
                    name: None,
                }],
                ..Default::default()
            },
        },
    )?;
    let mut logins = Vec::new();
    let mut staff_id = String::new();
    for (email, name, title, role) in USERS {
        let password = random_token(12);
        let user = admin::create_user(
            &mut conn,
            &org.id,
            None,
            UserInput {
                email: email.to_string(),
                name: name.to_string(),
                title: Some(title.to_string()),
                role: *role,
                password: password.clone(),
            },
        )?;
        if *role == Role::Staff {
            staff_id = user.id.to_string();
        }
        logins.push(DemoLogin {
            email: email.to_string(),
            role: *role,
            password,
        });
    }
    let staff = Principal {
        user_id: staff_id.clone().into(),
        org_id: org.id.clone(),
        role: Role::Staff,
    };
    let today = ctx.today();
    let days_ago = |n: u64| (today - Days::new(n)).to_string();

    // A fresh web request, untouched.
    submit_direct(
        ctx,
        &mut conn,
        &json!({ "organisation": DEMO_ORG, "kind": "access", "language": "fi",
            "subject": { "name": "Maija Esimerkki", "personal_id": "131052-308T",
                "email": "maija@example.invalid", "contact_channel": "email" },
            "details": { "scope": "whole_record", "form": "electronic" } }),
        None,
    )?;
    let act = |id: &str, input: ActionInput| actions::apply(ctx, &staff, id, input);
    let action = |a: Action| ActionInput {
        action: a,
        on: None,
        assignee: None,
        method: None,
        reason: None,
        message: None,
        outcome: None,
        grounds: vec![],
        explanation: None,
    };

    // A log-inspection request in progress: a client fearing an ex-partner read their file.
    let log = submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "log_inspection", "language": "sv", "channel": "letter",
            "received_on": days_ago(10), "registers": ["turvakoti"],
            "subject": { "name": "Anna Exempel", "personal_id": "010594Y9032",
                "address_protected": true, "postal_address": "Turvaosoite 1, 00100 Helsinki",
                "contact_channel": "pick_up" },
            "details": { "period_from": days_ago(700), "period_to": days_ago(10),
                "misuse_suspected": true, "misuse_suspected_user": "former partner working in the county" } }),
        Some(&staff),
    )?;
    act(
        &log.request.id,
        ActionInput {
            assignee: Some(staff_id.clone()),
            ..action(Action::Assign)
        },
    )?;
    act(&log.request.id, action(Action::Start))?;
    act(
        &log.request.id,
        ActionInput {
            method: Some(IdentityMethod::InPerson),
            ..action(Action::VerifyIdentity)
        },
    )?;

    // A rectification waiting for identity proof (the clock is stopped).
    let rect = submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "rectification", "language": "en", "channel": "email",
            "received_on": days_ago(3),
            "subject": { "name": "Alex Example", "birth_date": "1988-04-02",
                "email": "alex@example.invalid", "contact_channel": "email" },
            "details": { "items": [{ "what_is_wrong": "My phone number in the client record is wrong.",
                "should_say": "+358 40 000 0000" }] } }),
        Some(&staff),
    )?;
    act(&rect.request.id, ActionInput {
        message: Some("Please visit the office with an identity document, or sign in with strong identification.".into()),
        ..action(Action::RequestIdentity)
    })?;

    // An erasure refused on statutory retention.
    let erasure = submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "erasure", "language": "fi", "channel": "in_person",
            "received_on": days_ago(20),
            "subject": { "name": "Matti Malli", "personal_id": "020594X903P", "contact_channel": "post",
                "postal_address": "Esimerkkikatu 2 A 3, 00500 Helsinki" },
            "details": { "what": "Kaikki turvakotijaksoani koskevat kirjaukset", "why": "En halua tietojen jäävän talteen." } }),
        Some(&staff),
    )?;
    act(
        &erasure.request.id,
        ActionInput {
            method: Some(IdentityMethod::InPerson),
            ..action(Action::VerifyIdentity)
        },
    )?;
    act(&erasure.request.id, ActionInput {
        grounds: vec!["gdpr_17_3_b".into()],
        explanation: Some("Sosiaalihuollon asiakasasiakirjojen säilytysajat on säädetty laissa 703/2023; kirjauksia ei voi poistaa ennen säilytysajan päättymistä.".into()),
        ..action(Action::Refuse)
    })?;

    // An objection with an extended deadline, and an overdue access request.
    let objection = submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "objection", "language": "fi", "channel": "letter", "received_on": days_ago(25),
            "subject": { "name": "Liisa Lähde", "birth_date": "1975-12-06", "phone": "+358 50 000 0000",
                "contact_channel": "phone" },
            "details": { "grounds": "Vastustan tietojeni käyttöä tilastointiin." } }),
        Some(&staff),
    )?;
    act(
        &objection.request.id,
        ActionInput {
            reason: Some(
                "Pyyntö koskee useaa rekisteriä ja vaatii selvityksen kolmelta yksiköltä.".into(),
            ),
            ..action(Action::Extend)
        },
    )?;
    submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "access", "language": "fi", "channel": "letter", "received_on": days_ago(45),
            "subject": { "name": "Pekka Paperi", "personal_id": "010516B903X", "contact_channel": "pick_up" },
            "representative": { "name": "Paula Paperi", "relationship": "guardian", "phone": "+358 40 111 1111" },
            "details": { "scope": "whole_record", "form": "paper" } }),
        Some(&staff),
    )?;
    // A completed one, so statistics have something to show.
    let done = submit_direct(
        ctx,
        &mut conn,
        &json!({ "kind": "portability", "language": "fi", "channel": "web", "received_on": days_ago(30),
            "subject": { "name": "Olli Oma", "birth_date": "1990-01-01", "email": "olli@example.invalid",
                "contact_channel": "email" },
            "details": { "format": "json" } }),
        Some(&staff),
    )?;
    act(
        &done.request.id,
        ActionInput {
            method: Some(IdentityMethod::StrongEid),
            ..action(Action::VerifyIdentity)
        },
    )?;
    act(
        &done.request.id,
        ActionInput {
            outcome: Some(Outcome::Fulfilled),
            ..action(Action::Complete)
        },
    )?;

    Ok(DemoReport {
        created: true,
        logins,
    })
}
