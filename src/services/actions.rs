//! Staff actions on a request: one transaction per action, with its audit events.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::request::Request;
use super::views::{Decision, IdentityVerification, RequestOutput};
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::RequestRow;
use crate::db::{self, orgs, requests as req_db, AnyConnection};
use crate::domain::clock::ClockStop;
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::details::Details;
use crate::domain::enums::{Awaiting, IdentityMethod, ItemDecision, Outcome, RequestState, Role};
use crate::domain::outcome::{derive_outcome, DerivedOutcome, Undecided};
use crate::domain::validation::FieldError;
use crate::domain::workflow::{allowed_actions, next_state, Action};

/// Extension reasons must say something real (Art 12(3): "with reasons").
pub const MIN_EXTENSION_REASON: usize = 20;
const MAX_TEXT: usize = 4000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: Action,
    /// When it happened, if not today: not in the future and not before receipt.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// `assign`: the user id of a staff member of the organisation.
    #[serde(default)]
    pub assignee: Option<String>,
    /// `verify_identity`: how identity was checked.
    #[serde(default)]
    pub method: Option<IdentityMethod>,
    /// `extend` (at least 20 characters) and `withdraw`.
    #[serde(default)]
    pub reason: Option<String>,
    /// `request_identity`, `request_clarification`, `requester_replied`: what was asked or answered.
    #[serde(default)]
    pub message: Option<String>,
    /// `complete`: optional. The outcome follows from the item decisions and the withheld
    /// material; if given, it must be that outcome (a check against a stale screen).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// `refuse`: legal-ground codes. `complete`: optional; the grounds are gathered from the
    /// refused items and the withheld material, and any given must be among them.
    #[serde(default)]
    pub grounds: Vec<String>,
    /// `refuse` (required) and `complete` (optional): why, in words the requester will read.
    #[serde(default)]
    pub explanation: Option<String>,
}

pub struct ActionResult {
    pub request: RequestOutput,
    /// Said to staff when the action did not do all they may expect (e.g. a late clock stop).
    pub notice: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_length(v: &Option<String>, field: &str, errors: &mut Vec<FieldError>) {
    if v.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT) {
        errors.push(
            FieldError::new(field, FieldCode::TooLong).with_params(json!({ "max": MAX_TEXT })),
        );
    }
}

pub fn apply(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: ActionInput,
) -> Result<ActionResult, ServiceError> {
    principal.require(&[Role::Staff])?;
    let mut conn = ctx.conn()?;
    let (changed, notice) = write_tx(&mut conn, &principal.org_id, |conn| {
        let request = Request::load(conn, &principal.org_id, request_id)?;
        apply_to(ctx, conn, principal, request, &input)
    })?;
    let request = super::queries::full_view(ctx, &mut conn, principal, &changed)?;
    Ok(ActionResult { request, notice })
}

fn apply_to(
    ctx: &Context,
    conn: &mut AnyConnection,
    principal: &Principal,
    mut request: Request,
    input: &ActionInput,
) -> Result<(Request, Option<String>), ServiceError> {
    let today = ctx.today();
    let state = request.row.state;
    let awaiting = request.row.awaiting;
    let Some(mut to_state) = next_state(state, awaiting, input.action) else {
        let allowed = allowed_actions(state).to_vec();
        return Err(ServiceError::Conflict {
            code: ProblemCode::ActionNotAllowed,
            detail: format!(
                "'{}' is not allowed while the request is {}",
                input.action, state
            ),
            allowed: Some(allowed),
        });
    };

    let mut errors = Vec::new();
    let on = input.on.unwrap_or(today);
    if on > today {
        errors.push(FieldError::new("on", FieldCode::DateInFuture));
    }
    if on < request.row.received_on {
        errors.push(FieldError::new("on", FieldCode::BeforeReceipt));
    }
    let reason = text(&input.reason);
    let message = text(&input.message);
    let explanation = text(&input.explanation);
    check_length(&reason, "reason", &mut errors);
    check_length(&message, "message", &mut errors);
    check_length(&explanation, "explanation", &mut errors);

    let kind = request.row.kind;
    let mut clock = request.clock();
    let before = clock.deadlines(&ctx.rules.calendar);
    let mut notice = None;
    let mut assigned = None;
    let mut payload = json!({ "on": on });
    // The outcome the action decides, once it is known: it chooses the letters.
    let mut outcome = None;

    match input.action {
        Action::Assign => match input.assignee.as_deref().map(str::trim) {
            None | Some("") => errors.push(FieldError::new("assignee", FieldCode::Required)),
            Some(id) => match orgs::find_user(conn, &request.row.org_id, id)? {
                Some(u) if u.active && u.role == Role::Staff => {
                    payload["assignee"] = json!(u.id);
                    payload["previous_assignee"] = json!(request.row.assignee_id);
                    request.row.assignee_id = Some(u.id.clone());
                    assigned = Some(u);
                }
                _ => errors.push(FieldError::new("assignee", FieldCode::UnknownUser)),
            },
        },
        // Whoever starts an unassigned request handles it.
        Action::Start if request.row.assignee_id.is_none() => {
            payload["assignee"] = json!(principal.user_id);
            request.row.assignee_id = Some(principal.user_id.clone());
        }
        Action::Start => {}
        Action::VerifyIdentity => match input.method {
            None => errors.push(FieldError::new("method", FieldCode::Required)),
            Some(method) => {
                let v = IdentityVerification {
                    method,
                    verified_by: principal.user_id.to_string(),
                    verified_on: on,
                };
                payload["method"] = json!(method);
                request.identity = Some(v);
                if to_state == RequestState::InProgress && state == RequestState::AwaitingRequester
                {
                    payload["paused_days_added"] = json!(clock.resume(on));
                    request.row.awaiting = None;
                }
            }
        },
        Action::RequestIdentity | Action::RequestClarification => {
            let what = if input.action == Action::RequestIdentity {
                Awaiting::Identity
            } else {
                Awaiting::Clarification
            };
            if let ClockStop::NotStoppedOutsideGrace { grace_days } =
                clock.stop(on, ctx.settings.rules.clock_stop_grace_days)
            {
                notice = Some(format!(
                    "The clock was not stopped: it may be stopped only within {grace_days} days of receipt. The due date stays."
                ));
            }
            payload["clock_stopped"] = json!(clock.pause_counts);
            payload["message"] = json!(message);
            request.row.awaiting = Some(what);
        }
        Action::RequesterReplied => {
            payload["paused_days_added"] = json!(clock.resume(on));
            payload["message"] = json!(message);
            request.row.awaiting = None;
        }
        Action::Extend => match &reason {
            Some(r) if r.chars().count() >= MIN_EXTENSION_REASON => {
                match clock.extend(&ctx.rules.calendar, on) {
                    Ok(_) => {
                        request.row.extended_on = Some(on);
                        request.row.extension_reason = Some(r.clone());
                        payload["reason"] = json!(r);
                    }
                    Err(e) => {
                        return Err(ServiceError::Conflict {
                            code: e.code(),
                            detail: e.to_string(),
                            allowed: None,
                        })
                    }
                }
            }
            _ => errors.push(
                FieldError::new("reason", FieldCode::TooShort)
                    .with_params(json!({ "min": MIN_EXTENSION_REASON })),
            ),
        },
        Action::Complete => {
            if request.identity.is_none() {
                return Err(ServiceError::Conflict {
                    code: ProblemCode::IdentityNotVerified,
                    detail:
                        "the requester's identity must be verified before the request is completed"
                            .into(),
                    allowed: None,
                });
            }
            // The answer states what the investigation the client asked for found.
            let misuse_asked = matches!(
                &request.details,
                Details::LogInspection(d) if d.misuse_suspected == Some(true)
            );
            if misuse_asked && super::logs::latest_finding(conn, &request.row.id)?.is_none() {
                return Err(ServiceError::Conflict {
                    code: ProblemCode::MisuseFindingMissing,
                    detail: "the request asks for a misuse investigation: record its finding (POST /requests/{id}/misuse-finding) before completing".into(),
                    allowed: None,
                });
            }
            let facts = super::outcome::decision_facts(conn, &request.row.id)?;
            let derived = derive_outcome(&facts).map_err(|Undecided(numbers)| {
                ServiceError::Validation(
                    numbers
                        .into_iter()
                        .map(|n| {
                            FieldError::new(format!("items[{n}]"), FieldCode::ItemUndecided)
                                .with_params(json!({ "item": n }))
                        })
                        .collect(),
                )
            })?;
            check_claims(input, &facts.withheld, &derived, &mut errors);
            // A request refused in every part is a refusal, whichever button said so.
            if derived.outcome == Outcome::Refused {
                to_state = RequestState::Refused;
            }
            decide(
                &mut request,
                derived.outcome,
                &derived.grounds,
                explanation.clone(),
                principal,
                on,
            )?;
            payload["outcome"] = json!(derived.outcome);
            payload["grounds"] = json!(derived.grounds);
            outcome = Some(derived.outcome);
        }
        Action::Refuse => {
            // Refusing the request as a whole would deny what was already done.
            let done: Vec<i32> = crate::db::documents::list_items(conn, &request.row.id)?
                .iter()
                .filter(|i| i.decision == Some(ItemDecision::Done))
                .map(|i| i.number)
                .collect();
            if !done.is_empty() {
                return Err(ServiceError::Conflict {
                    code: ProblemCode::ItemsAlreadyDone,
                    detail: format!(
                        "item(s) {} were already carried out, so the request cannot be refused as a whole; complete it instead (the outcome follows from the item decisions)",
                        join_numbers(&done)
                    ),
                    allowed: None,
                });
            }
            errors.extend(ctx.rules.grounds.check(&input.grounds, kind, "grounds"));
            if explanation.is_none() {
                errors.push(FieldError::new("explanation", FieldCode::Required));
            }
            decide(
                &mut request,
                Outcome::Refused,
                &input.grounds,
                explanation.clone(),
                principal,
                on,
            )?;
            payload["grounds"] = json!(input.grounds);
            outcome = Some(Outcome::Refused);
        }
        Action::Withdraw => {
            if reason.is_none() {
                errors.push(FieldError::new("reason", FieldCode::Required));
            }
            decide(
                &mut request,
                Outcome::Withdrawn,
                &[],
                reason.clone(),
                principal,
                on,
            )?;
            payload["reason"] = json!(reason);
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }

    let after = clock.deadlines(&ctx.rules.calendar);
    request.set_clock(&clock, &ctx.rules.calendar);
    request.row.state = to_state;
    request.row.is_open = !to_state.is_terminal();
    request.row.updated_at = db::now();
    request.save(conn)?;
    let row = &request.row;

    let event = |action: &'static str,
                 from: Option<&'static str>,
                 to: Option<&'static str>,
                 payload: Value| {
        NewEvent {
            org_id: &principal.org_id,
            request_id: Some(&row.id),
            actor_id: Some(&principal.user_id),
            actor_role: principal.role.as_str(),
            action,
            from_state: from,
            to_state: to,
            payload,
            occurred_at: db::now(),
        }
    };
    audit::append(
        conn,
        event(
            input.action.as_str(),
            Some(state.as_str()),
            Some(to_state.as_str()),
            payload,
        ),
    )?;
    if after != before {
        audit::append(
            conn,
            event(
                "deadline_changed",
                None,
                None,
                json!({
                    "cause": input.action,
                    "target_on": { "from": before.target_on, "to": after.target_on },
                    "due_on": { "from": before.due_on, "to": after.due_on },
                }),
            ),
        )?;
    }
    notify(ctx, conn, row, input.action, assigned.as_ref())?;
    // The letters the change calls for are written in its transaction: they exist exactly
    // when the change does, state the facts as they stand after it, and bear the date it
    // took effect (`on`, which a backdated action sets in the past).
    let desk = ctx.letter_desk();
    let snapshot = super::documents::take_snapshot(desk, conn, &request, on)?;
    let appeal = snapshot
        .decision
        .as_ref()
        .is_some_and(|f| f.appeal.is_some());
    for letter in super::documents::letters_for(input.action, kind, outcome, appeal) {
        super::documents::write_letter(
            desk,
            conn,
            &request,
            letter,
            Some(principal),
            message.clone(),
            &snapshot,
        )?;
    }
    Ok((request, notice))
}

/// What staff said with `complete` may add nothing the decisions do not say: an outcome must
/// be the derived one and a cited ground one the items or the withheld material rest on.
fn check_claims(
    input: &ActionInput,
    withheld: &[String],
    derived: &DerivedOutcome,
    errors: &mut Vec<FieldError>,
) {
    match input.outcome {
        Some(claimed) if claimed == derived.outcome => {}
        Some(Outcome::Fulfilled) if !withheld.is_empty() => errors.push(
            FieldError::new("outcome", FieldCode::WithheldNeedsPartial)
                .with_params(json!({ "grounds": derived.grounds.join(", ") })),
        ),
        Some(claimed) => errors.push(
            FieldError::new("outcome", FieldCode::OutcomeContradictsDecisions)
                .with_params(json!({ "claimed": claimed, "derived": derived.outcome })),
        ),
        None => {}
    }
    for (i, code) in input.grounds.iter().enumerate() {
        if !derived.grounds.contains(code) {
            errors.push(
                FieldError::new(format!("grounds[{i}]"), FieldCode::GroundNotInDecisions)
                    .with_params(json!({ "code": code })),
            );
        }
    }
}

fn join_numbers(numbers: &[i32]) -> String {
    numbers
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The messages an action causes, queued in its transaction.
fn notify(
    ctx: &Context,
    conn: &mut AnyConnection,
    row: &RequestRow,
    action: Action,
    assigned: Option<&crate::db::models::UserRow>,
) -> Result<(), ServiceError> {
    let org = orgs::find_organisation(conn, &row.org_id)?;
    if let Some(user) = assigned {
        ctx.notifier.staff_assigned(conn, &org, row, user)?;
    }
    // News the requester should come and read; internal steps (assign, start, verify) are not.
    if matches!(
        action,
        Action::RequestIdentity
            | Action::RequestClarification
            | Action::Extend
            | Action::Complete
            | Action::Refuse
            | Action::Withdraw
    ) {
        let subject = req_db::subject(conn, &row.id)?;
        ctx.notifier.requester_news(conn, &org, row, &subject)?;
    }
    Ok(())
}

fn decide(
    request: &mut Request,
    outcome: Outcome,
    grounds: &[String],
    explanation: Option<String>,
    principal: &Principal,
    on: NaiveDate,
) -> Result<(), ServiceError> {
    let decision = Decision {
        outcome,
        grounds: grounds.to_vec(),
        explanation,
        decided_by: principal.user_id.to_string(),
        decided_on: on,
    };
    request.row.outcome = Some(outcome);
    request.row.closed_on = Some(on);
    request.decision = Some(decision);
    Ok(())
}
