//! How a request ended, derived from what was decided: staff decide the parts (items, and
//! what of the gathered material is given or withheld); the outcome and the grounds of the
//! decision follow from them and cannot contradict them.

use super::enums::{ItemDecision, Outcome};

/// One item of a rectification, erasure or restriction request as decided so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFact {
    pub number: i32,
    /// `None` while undecided.
    pub decision: Option<ItemDecision>,
    /// The legal ground of a refused item.
    pub ground: Option<String>,
}

/// The facts a decision rests on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionFacts {
    pub items: Vec<ItemFact>,
    /// Pieces of gathered material given to the requester (attachments, entries, reported log
    /// events).
    pub given: usize,
    /// The ground of each piece withheld from the requester, one entry per piece.
    pub withheld: Vec<String>,
}

/// The outcome the facts give, and the grounds of whatever was refused or withheld (in the
/// order items and then material name them, each once).
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedOutcome {
    pub outcome: Outcome,
    pub grounds: Vec<String>,
}

/// Why the facts give no outcome yet: the numbers of the items without a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecided(pub Vec<i32>);

/// Everything done and nothing withheld is fulfilled; something refused or withheld beside
/// something done is partial; everything refused (and nothing given) is a refusal. A request
/// with nothing to decide (an access request that found no records) is fulfilled.
pub fn derive_outcome(facts: &DecisionFacts) -> Result<DerivedOutcome, Undecided> {
    let undecided: Vec<i32> = facts
        .items
        .iter()
        .filter(|i| i.decision.is_none())
        .map(|i| i.number)
        .collect();
    if !undecided.is_empty() {
        return Err(Undecided(undecided));
    }
    let done = facts
        .items
        .iter()
        .filter(|i| i.decision == Some(ItemDecision::Done))
        .count()
        + facts.given;
    let refused_items = facts
        .items
        .iter()
        .filter(|i| i.decision == Some(ItemDecision::Refused));
    let refused = refused_items.clone().count() + facts.withheld.len();
    let mut grounds: Vec<String> = Vec::new();
    for g in refused_items
        .filter_map(|i| i.ground.as_ref())
        .chain(facts.withheld.iter())
    {
        if !grounds.contains(g) {
            grounds.push(g.clone());
        }
    }
    let outcome = match (done, refused) {
        (_, 0) => Outcome::Fulfilled,
        (0, _) => Outcome::Refused,
        _ => Outcome::PartiallyFulfilled,
    };
    Ok(DerivedOutcome { outcome, grounds })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemDecision::{Done, Refused};

    fn item(number: i32, decision: Option<ItemDecision>, ground: Option<&str>) -> ItemFact {
        ItemFact {
            number,
            decision,
            ground: ground.map(str::to_string),
        }
    }

    fn facts(items: Vec<ItemFact>, given: usize, withheld: &[&str]) -> DecisionFacts {
        DecisionFacts {
            items,
            given,
            withheld: withheld.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Items, pieces given, grounds of pieces withheld, and the outcome or undecided items.
    type Case = (
        Vec<ItemFact>,
        usize,
        Vec<&'static str>,
        Result<Outcome, Vec<i32>>,
    );

    /// Every combination of item decisions (none, done, refused, undecided) and material
    /// (none, given, withheld, both), with the outcome each must give.
    #[test]
    fn every_combination_of_parts_gives_its_outcome() {
        let done = || item(1, Some(Done), None);
        let refused = || item(2, Some(Refused), Some("gdpr_17_3_b"));
        let undecided = || item(3, None, None);
        use Outcome::{Fulfilled, PartiallyFulfilled};
        let all_refused = Outcome::Refused;
        let table: Vec<Case> = vec![
            (vec![], 0, vec![], Ok(Fulfilled)),
            (vec![], 3, vec![], Ok(Fulfilled)),
            (vec![], 3, vec!["gdpr_15_4"], Ok(PartiallyFulfilled)),
            (vec![], 0, vec!["gdpr_15_4"], Ok(all_refused)),
            (vec![done()], 0, vec![], Ok(Fulfilled)),
            (vec![done(), done()], 2, vec![], Ok(Fulfilled)),
            (vec![done()], 0, vec!["tsl_34"], Ok(PartiallyFulfilled)),
            (vec![done(), refused()], 0, vec![], Ok(PartiallyFulfilled)),
            (
                vec![done(), refused()],
                1,
                vec!["tsl_34"],
                Ok(PartiallyFulfilled),
            ),
            (vec![refused()], 0, vec![], Ok(all_refused)),
            (
                vec![refused(), refused()],
                0,
                vec!["tsl_34"],
                Ok(all_refused),
            ),
            (vec![refused()], 1, vec![], Ok(PartiallyFulfilled)),
            (vec![undecided()], 0, vec![], Err(vec![3])),
            (vec![done(), undecided()], 0, vec![], Err(vec![3])),
            (
                vec![refused(), undecided()],
                2,
                vec!["tsl_34"],
                Err(vec![3]),
            ),
            (
                vec![item(4, None, None), done(), item(7, None, None)],
                0,
                vec![],
                Err(vec![4, 7]),
            ),
        ];
        for (items, given, withheld, expected) in table {
            let f = facts(items, given, &withheld);
            let got = derive_outcome(&f)
                .map(|d| d.outcome)
                .map_err(|Undecided(n)| n);
            assert_eq!(got, expected, "{f:?}");
        }
    }

    #[test]
    fn grounds_are_gathered_from_items_then_material_each_once() {
        let f = facts(
            vec![
                item(1, Some(Refused), Some("gdpr_17_3_b")),
                item(2, Some(Done), None),
                item(3, Some(Refused), Some("gdpr_17_3_e")),
                item(4, Some(Refused), Some("gdpr_17_3_b")),
            ],
            0,
            &["gdpr_15_4", "gdpr_15_4", "tsl_34"],
        );
        let d = derive_outcome(&f).unwrap();
        assert_eq!(d.outcome, Outcome::PartiallyFulfilled);
        assert_eq!(
            d.grounds,
            ["gdpr_17_3_b", "gdpr_17_3_e", "gdpr_15_4", "tsl_34"]
        );
    }

    #[test]
    fn a_fulfilled_request_cites_no_ground() {
        let f = facts(vec![item(1, Some(Done), None)], 5, &[]);
        assert_eq!(
            derive_outcome(&f).unwrap(),
            DerivedOutcome {
                outcome: Outcome::Fulfilled,
                grounds: vec![]
            }
        );
    }
}
