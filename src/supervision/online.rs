//! Online vs offline distillation on a random-features student (the spec's recipe, 6(c)).
//!
//! Data: `x` uniform on the sphere `S^{d−1}`; clean labels `argmax V tanh(2 U x)` from a random
//! two-layer function; training labels flipped to a uniform class with probability `label_noise`.
//! Models: linear heads on fixed random ReLU features `φ(x) = relu(W x)/√M` (teacher: wide `M_t`,
//! student: narrow `M_s`), trained by full-batch gradient descent from zero.
//!
//! - Teacher: cross-entropy on the noisy one-hot labels for `epochs × steps_per_epoch` steps; its
//!   head after each epoch is a checkpoint.
//! - Students (same schedule): one-hot (cross-entropy on the noisy labels), offline KD (final
//!   checkpoint throughout), online KD (checkpoint `e` during epoch `e`), with the loss
//!   `τ² KL(softmax(z_t/τ) ‖ softmax(z_s/τ))`.
//! - Supervision complexity of each checkpoint's centred probabilities (and of the noisy one-hot
//!   labels) under the analytic ReLU NTK of the first `n_sc` training inputs.

use super::complexity::GramFactor;
use super::ntk::relu_ntk_gram;
#[cfg(doc)]
use super::targets::kd_loss_and_grad;
use super::targets::{centre, check_distributions, one_hot, teacher_probabilities};
use crate::error::{Error, Result};
use crate::linalg::gemm_into_unchecked as gemm_into;
use crate::ops::softmax_into;
use crate::rng::seeded;
use faer::{Mat, MatRef};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// Sizes and hyperparameters of one distillation run.
#[derive(Clone, Debug, Serialize)]
pub struct DistillConfig {
    /// Input dimension `d`.
    pub d: usize,
    /// Number of classes `C`.
    pub classes: usize,
    /// Training points.
    pub n_train: usize,
    /// Held-out points (clean labels).
    pub n_test: usize,
    /// Training points whose NTK Gram measures supervision complexity (`≤ n_train`).
    pub n_sc: usize,
    /// Teacher random features `M_t`.
    pub teacher_width: usize,
    /// Student random features `M_s`.
    pub student_width: usize,
    /// Epochs (= teacher checkpoints).
    pub epochs: usize,
    /// Gradient steps per epoch.
    pub steps_per_epoch: usize,
    /// Learning rate (teacher and students).
    pub lr: f64,
    /// Distillation temperature `τ`.
    pub tau: f64,
    /// Probability that a training label is replaced by a uniform class.
    pub label_noise: f64,
    /// Seed of the data, features and noise.
    pub seed: u64,
}

impl Default for DistillConfig {
    fn default() -> Self {
        DistillConfig {
            d: 10,
            classes: 5,
            n_train: 300,
            n_test: 1000,
            n_sc: 300,
            teacher_width: 512,
            student_width: 48,
            epochs: 12,
            steps_per_epoch: 20,
            lr: 8.0,
            tau: 2.0,
            label_noise: 0.2,
            seed: 0,
        }
    }
}

/// What one run measured.
#[derive(Clone, Debug, Serialize)]
pub struct DistillOutcome {
    /// Teacher test accuracy after each epoch.
    pub teacher_accuracy: Vec<f64>,
    /// SC of each checkpoint's centred probabilities at τ = 1 (analytic NTK, `n_sc` points).
    pub checkpoint_sc: Vec<f64>,
    /// SC of the centred noisy one-hot training labels on the same points.
    pub one_hot_sc: f64,
    /// Final test accuracy of the student trained on one-hot labels.
    pub student_one_hot: f64,
    /// Final test accuracy of the offline-distilled student.
    pub student_offline: f64,
    /// Final test accuracy of the online-distilled student.
    pub student_online: f64,
}

/// `relu(X Wᵀ)/√M` (`n × M`).
fn features(x: MatRef<'_, f64>, w: MatRef<'_, f64>) -> Mat<f64> {
    let mut h = Mat::<f64>::zeros(x.nrows(), w.nrows());
    gemm_into(
        h.as_mut(),
        x,
        w.transpose(),
        1.0 / (w.nrows() as f64).sqrt(),
        false,
    );
    Mat::from_fn(h.nrows(), h.ncols(), |i, j| h[(i, j)].max(0.0))
}

/// `rows × cols` standard-normal matrix.
pub(crate) fn gaussian(rows: usize, cols: usize, rng: &mut crate::rng::Rng) -> Mat<f64> {
    Mat::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

/// `n` points uniform on the unit sphere `S^{d−1}` (`n × d`).
pub(crate) fn sphere(n: usize, d: usize, rng: &mut crate::rng::Rng) -> Mat<f64> {
    let mut x = gaussian(n, d, rng);
    for i in 0..n {
        let nrm = x.row(i).norm_l2();
        for j in 0..d {
            x[(i, j)] /= nrm;
        }
    }
    x
}

fn argmax_rows(z: MatRef<'_, f64>) -> Vec<usize> {
    (0..z.nrows())
        .map(|i| crate::ops::argmax(&(0..z.ncols()).map(|j| z[(i, j)]).collect::<Vec<_>>()))
        .collect()
}

fn accuracy(phi: MatRef<'_, f64>, head: MatRef<'_, f64>, labels: &[usize]) -> f64 {
    let mut z = Mat::<f64>::zeros(phi.nrows(), head.nrows());
    gemm_into(z.as_mut(), phi, head.transpose(), 1.0, false);
    let pred = argmax_rows(z.as_ref());
    pred.iter().zip(labels).filter(|(a, b)| a == b).count() as f64 / labels.len() as f64
}

/// One GD step on a linear head `H` (`C × M`) over features `Φ` (`n × M`) towards `targets_t`
/// (`C × n`, one distribution per column) at temperature `tau`: `H ← H − lr · (∂ℓ/∂Z)ᵀ Φ` with the
/// logit gradient of [`kd_loss_and_grad`], `τ (softmax(z_i/τ) − p_i)/n`, formed column by column
/// (`Zᵀ = H Φᵀ`) so each example's logits are contiguous.
fn gd_step(
    head: &mut Mat<f64>,
    phi: MatRef<'_, f64>,
    targets_t: MatRef<'_, f64>,
    tau: f64,
    lr: f64,
) {
    let n = phi.nrows();
    let mut zt = Mat::<f64>::zeros(head.nrows(), n);
    gemm_into(zt.as_mut(), head.as_ref(), phi.transpose(), 1.0, false);
    let mut buf = vec![0.0; head.nrows()];
    for i in 0..n {
        let col = zt.col_as_slice_mut(i);
        softmax_into(col, tau, &mut buf);
        for (c, (q, j)) in col.iter_mut().zip(buf.iter().zip(0..)) {
            *c = tau * (q - targets_t[(j, i)]) / n as f64;
        }
    }
    let mut dh = Mat::<f64>::zeros(head.nrows(), head.ncols());
    gemm_into(dh.as_mut(), zt.as_ref(), phi, 1.0, false);
    *head -= dh * faer::Scale(lr);
}

/// Runs the experiment of the [module docs](self).
pub fn run_distillation(cfg: &DistillConfig) -> Result<DistillOutcome> {
    if cfg.d == 0 || cfg.classes < 2 || cfg.n_train == 0 || cfg.n_test == 0 || cfg.epochs == 0 {
        return Err(Error::InvalidArgument {
            what: "DistillConfig",
            reason: "need d > 0, classes >= 2, n_train, n_test, epochs > 0".into(),
        });
    }
    if cfg.n_sc == 0 || cfg.n_sc > cfg.n_train || !(0.0..=1.0).contains(&cfg.label_noise) {
        return Err(Error::InvalidArgument {
            what: "DistillConfig",
            reason: format!(
                "need 0 < n_sc <= n_train and label_noise in [0,1]; got {} and {}",
                cfg.n_sc, cfg.label_noise
            ),
        });
    }
    crate::ops::check_temperature("tau", cfg.tau)?;
    let mut rng = seeded(cfg.seed, 0x5c_d1);
    let (d, c) = (cfg.d, cfg.classes);
    let hidden = 16;
    let u = gaussian(hidden, d, &mut rng);
    let v = gaussian(c, hidden, &mut rng);
    let label = |x: &Mat<f64>| -> Vec<usize> {
        let mut h = Mat::<f64>::zeros(x.nrows(), hidden);
        gemm_into(h.as_mut(), x.as_ref(), u.transpose(), 2.0, false);
        let h = Mat::from_fn(h.nrows(), hidden, |i, j| h[(i, j)].tanh());
        let mut z = Mat::<f64>::zeros(x.nrows(), c);
        gemm_into(z.as_mut(), h.as_ref(), v.transpose(), 1.0, false);
        argmax_rows(z.as_ref())
    };
    let x_train = sphere(cfg.n_train, d, &mut rng);
    let x_test = sphere(cfg.n_test, d, &mut rng);
    let y_test = label(&x_test);
    let y_noisy: Vec<usize> = label(&x_train)
        .into_iter()
        .map(|y| {
            if rng.random::<f64>() < cfg.label_noise {
                rng.random_range(0..c)
            } else {
                y
            }
        })
        .collect();
    let y_onehot = one_hot(&y_noisy, c)?;
    let y_onehot_t = y_onehot.transpose().to_owned();

    let w_t = gaussian(cfg.teacher_width, d, &mut rng);
    let w_s = gaussian(cfg.student_width, d, &mut rng);
    let (phi_t, phi_t_test) = (
        features(x_train.as_ref(), w_t.as_ref()),
        features(x_test.as_ref(), w_t.as_ref()),
    );
    let (phi_s, phi_s_test) = (
        features(x_train.as_ref(), w_s.as_ref()),
        features(x_test.as_ref(), w_s.as_ref()),
    );

    // Teacher and its checkpoints.
    let mut head_t = Mat::<f64>::zeros(c, cfg.teacher_width);
    let mut checkpoints = Vec::with_capacity(cfg.epochs);
    let mut teacher_accuracy = Vec::with_capacity(cfg.epochs);
    for _ in 0..cfg.epochs {
        for _ in 0..cfg.steps_per_epoch {
            gd_step(
                &mut head_t,
                phi_t.as_ref(),
                y_onehot_t.as_ref(),
                1.0,
                cfg.lr,
            );
        }
        teacher_accuracy.push(accuracy(phi_t_test.as_ref(), head_t.as_ref(), &y_test));
        let mut z = Mat::<f64>::zeros(cfg.n_train, c);
        gemm_into(z.as_mut(), phi_t.as_ref(), head_t.transpose(), 1.0, false);
        checkpoints.push(z);
    }

    // Supervision complexity of each checkpoint's predictions on the first n_sc points.
    let x_sc = x_train.as_ref().subrows(0, cfg.n_sc);
    let factor = GramFactor::new(relu_ntk_gram(x_sc)?.as_ref(), 0.0)?;
    let checkpoint_sc = checkpoints
        .iter()
        .map(|z| {
            let p = teacher_probabilities(z.as_ref().subrows(0, cfg.n_sc), 1.0)?;
            factor.complexity(centre(p.as_ref()).as_ref())
        })
        .collect::<Result<Vec<_>>>()?;
    let one_hot_sc = factor.complexity(centre(y_onehot.as_ref().subrows(0, cfg.n_sc)).as_ref())?;

    // Students on the same schedule.
    let soft: Vec<Mat<f64>> = checkpoints
        .iter()
        .map(|z| {
            let p = teacher_probabilities(z.as_ref(), cfg.tau)?;
            check_distributions("teacher checkpoint", p.as_ref())?;
            Ok(p.transpose().to_owned())
        })
        .collect::<Result<_>>()?;
    let train_student = |targets: &[MatRef<'_, f64>], tau: f64| -> Result<f64> {
        let mut head = Mat::<f64>::zeros(c, cfg.student_width);
        for epoch_targets in targets {
            // The τ² factor keeps the logit Hessian of every loss the same, so one lr serves all.
            for _ in 0..cfg.steps_per_epoch {
                gd_step(&mut head, phi_s.as_ref(), *epoch_targets, tau, cfg.lr);
            }
        }
        Ok(accuracy(phi_s_test.as_ref(), head.as_ref(), &y_test))
    };
    let last = soft[cfg.epochs - 1].as_ref();
    let student_one_hot = train_student(&vec![y_onehot_t.as_ref(); cfg.epochs], 1.0)?;
    let student_offline = train_student(&vec![last; cfg.epochs], cfg.tau)?;
    let online: Vec<MatRef<'_, f64>> = soft.iter().map(|p| p.as_ref()).collect();
    let student_online = train_student(&online, cfg.tau)?;
    Ok(DistillOutcome {
        teacher_accuracy,
        checkpoint_sc,
        one_hot_sc,
        student_one_hot,
        student_offline,
        student_online,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervision::targets::kd_loss_and_grad;

    /// The column-major training step equals `H − lr·(∂ℓ/∂Z)ᵀΦ` with the validated
    /// [`kd_loss_and_grad`] gradient, to rounding (rel 1e-13).
    #[test]
    fn gd_step_matches_kd_gradient() {
        let mut rng = seeded(3, 0);
        let phi = gaussian(13, 7, &mut rng);
        let head = gaussian(4, 7, &mut rng);
        let p = teacher_probabilities(gaussian(13, 4, &mut rng).as_ref(), 1.0).unwrap();
        let tau = 1.7;
        let mut fast = head.clone();
        gd_step(&mut fast, phi.as_ref(), p.transpose(), tau, 0.3);
        let mut z = Mat::<f64>::zeros(13, 4);
        gemm_into(z.as_mut(), phi.as_ref(), head.transpose(), 1.0, false);
        let (_, dz) = kd_loss_and_grad(p.as_ref(), z.as_ref(), tau).unwrap();
        let mut dh = Mat::<f64>::zeros(4, 7);
        gemm_into(dh.as_mut(), dz.transpose(), phi.as_ref(), 1.0, false);
        let reference = &head - dh * faer::Scale(0.3);
        assert!((&fast - &reference).norm_max() <= 1e-13 * reference.norm_max());
    }
}
