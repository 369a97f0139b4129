//! The `cascade` fuzz body: the finite Bayes cascade (risk, accuracy and deferral rate, Bayes and
//! budget rules, plug-in regret) and the deferral scores, on hostile priors, accuracies, rules,
//! costs, budgets and probability rows.

use crate::cascade::{
    bayes_rule, budget_rule, deferral_scores, plugin_regret, FiniteCascade, Score,
};
use crate::fuzz::bytes::{assert_finite, Bytes};

/// Decodes one call and checks it: no panic; `Ok` results finite; the Bayes rule's risk is no
/// larger than that of any other rule (the oracle: the decoded rule); accuracy and deferral rate
/// lie in `[0, 1]`; the budget rule's rate respects the budget; the plug-in regret is non-negative.
pub fn cascade(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let n = b.range(usize::from(!hostile), 6);
    if mode.is_multiple_of(2) {
        let pi = if hostile && b.one_in(4) {
            b.values(n, true)
        } else {
            b.distribution(n, true)
        };
        let acc = |b: &mut Bytes| -> Vec<f64> {
            (0..n)
                .map(|_| {
                    if hostile && b.one_in(8) {
                        b.extreme()
                    } else {
                        b.unit()
                    }
                })
                .collect()
        };
        let (a1, a2) = (acc(&mut b), acc(&mut b));
        let Ok(c) = FiniteCascade::new(pi, a1, a2) else {
            return;
        };
        let cost = if hostile && b.one_in(4) {
            b.extreme()
        } else {
            b.unit()
        };
        let rule: Vec<f64> = (0..n + usize::from(hostile && b.one_in(8)))
            .map(|_| {
                if hostile && b.one_in(8) {
                    b.extreme()
                } else {
                    b.unit()
                }
            })
            .collect();
        let call = (&c, cost, &rule);
        let bayes = bayes_rule(&c.gain(), cost);
        if let (Ok(r_bayes), Ok(r_rule)) = (c.risk(&bayes, cost), c.risk(&rule, cost)) {
            assert_finite("risk", &[r_bayes, r_rule], &call);
            let proper = rule.iter().all(|r| (0.0..=1.0).contains(r));
            assert!(
                !proper || r_bayes <= r_rule + 1e-12,
                "Bayes risk {r_bayes} above the risk {r_rule} of another rule\n{call:?}"
            );
        }
        if let (Ok((acc, rate)), true) = (
            c.accuracy_and_rate(&rule),
            rule.iter().all(|r| (0.0..=1.0).contains(r)),
        ) {
            assert!(
                (-1e-12..=1.0 + 1e-12).contains(&acc) && (-1e-12..=1.0 + 1e-12).contains(&rate),
                "accuracy {acc}, rate {rate}\n{call:?}"
            );
        }
        let budget = if hostile && b.one_in(4) {
            b.extreme()
        } else {
            b.unit()
        };
        if let Ok(r) = budget_rule(&c.gain(), c.pi(), budget) {
            assert_finite("budget_rule", &r, &(call, budget));
            let rate: f64 = r.iter().zip(c.pi()).map(|(r, p)| r * p).sum();
            assert!(
                rate <= budget + 1e-12,
                "budget rule rate {rate} over budget {budget}\n{call:?}"
            );
        }
        let gain_hat: Vec<f64> = (0..n).map(|_| b.scalar(hostile)).collect();
        if let Ok(reg) = plugin_regret(&c, &gain_hat, cost) {
            assert!(
                reg.regret.is_finite() && reg.regret >= -1e-12,
                "plug-in regret {reg:?}\n{call:?}"
            );
        }
    } else {
        let classes = b.size(1, 4, hostile);
        let small = classes.min(5);
        let probs: Vec<f64> = (0..n).flat_map(|_| b.distribution(small, true)).collect();
        let mut probs = probs;
        if hostile && !probs.is_empty() && b.one_in(2) {
            let i = b.below(probs.len());
            probs[i] = b.extreme();
        }
        let score = [Score::Confidence, Score::Margin, Score::Entropy][b.below(3)];
        if let Ok(s) = deferral_scores(&probs, classes, score) {
            assert_finite("deferral_scores", &s, &(&probs, classes, score));
        }
    }
}
