//! ECS deployments of one service: rolling out a revision, the scheduler that keeps each
//! deployment at its desired count, the circuit breaker, and completion.

use super::tasks::{Fate, Phase, ServiceState, SimDeployment, SimTask};
use crate::domain::{RolloutState, TaskHealth};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(crate) fn deployment_id(rng: &mut ChaCha8Rng) -> String {
    format!("ecs-svc/{}", rng.random_range(1_000_000_000_000_000_000u64..10_000_000_000_000_000_000))
}

impl ServiceState {
    /// Rolls out `revision` as a new PRIMARY deployment; the old one turns ACTIVE and keeps its
    /// tasks until the new one is healthy (minimum healthy percent 100).
    pub(crate) fn deploy(&mut self, t: i64, revision: u32, bad: bool, rng: &mut ChaCha8Rng) {
        let desired = self.primary().map_or(self.spec.desired, |d| d.desired);
        for d in &mut self.deployments {
            d.primary = false;
        }
        self.deployments.push(SimDeployment {
            id: deployment_id(rng),
            primary: true,
            retired: false,
            revision,
            desired,
            failed: 0,
            rollout: RolloutState::InProgress,
            created_at: t,
            bad,
            attempts: 0,
            next_launch_at: t + 1,
        });
        self.recovering = true;
    }

    /// The scheduler: tops every deployment that still launches back up to its desired count.
    pub(crate) fn schedule(&mut self, t: i64, rng: &mut ChaCha8Rng) {
        for d in 0..self.deployments.len() {
            let dep = &self.deployments[d];
            if dep.retired || dep.rollout == RolloutState::Failed || t < dep.next_launch_at {
                continue;
            }
            let live = self.tasks.iter().filter(|k| k.deployment == d && k.is_live()).count();
            let missing = (dep.desired as usize).saturating_sub(live);
            if missing == 0 {
                continue;
            }
            let mut ids = Vec::with_capacity(missing);
            for _ in 0..missing {
                let dep = &mut self.deployments[d];
                let fate = match dep.bad {
                    false => Fate::Healthy,
                    true if dep.attempts < 2 || rng.random_bool(0.6) => Fate::FailElb,
                    true => Fate::FailExit,
                };
                dep.attempts += 1;
                let revision = dep.revision;
                let mut task = self.new_task(rng, d, revision, fate);
                task.next_at = t + rng.random_range(3..=7);
                ids.push(format!("(task {})", task.id));
                self.tasks.push(task);
            }
            self.event(t, format!("has started {missing} tasks: {}.", ids.join(" ")));
        }
    }

    /// Circuit breaker, deployment completion and the "steady state" message.
    pub(crate) fn settle(&mut self, t: i64) {
        let Some(p) = self.deployments.iter().rposition(|d| d.primary) else {
            return;
        };
        let dep = &self.deployments[p];
        // ECS: failures >= 0.5 x desired, clamped to 3..=200.
        let threshold = (dep.desired.div_ceil(2)).clamp(3, 200);
        if dep.rollout == RolloutState::InProgress && dep.failed >= threshold {
            let id = dep.id.clone();
            self.deployments[p].rollout = RolloutState::Failed;
            self.event(t, format!("(deployment {id}) deployment failed: tasks failed to start."));
        }
        let dep = &self.deployments[p];
        if dep.rollout == RolloutState::InProgress && healthy(&self.tasks, p) >= dep.desired {
            let id = dep.id.clone();
            self.deployments[p].rollout = RolloutState::Completed;
            for d in 0..self.deployments.len() {
                if d != p && !self.deployments[d].retired {
                    self.deployments[d].retired = true;
                    for k in self.tasks.iter_mut().filter(|k| k.deployment == d && k.is_live()) {
                        k.phase = Phase::Stopping;
                        k.next_at = t + 5;
                        k.stopped_reason = Some(format!("Scaling activity initiated by (deployment {id})"));
                    }
                }
            }
            self.event(t, format!("(deployment {id}) deployment completed."));
        }
        let steady = self
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.retired && d.rollout != RolloutState::Failed)
            .all(|(i, d)| healthy(&self.tasks, i) >= d.desired);
        let busy = self.tasks.iter().any(|k| {
            (k.phase > Phase::Running && k.phase < Phase::Stopped) || (k.is_live() && k.health != TaskHealth::Healthy)
        });
        if self.recovering && steady && !busy {
            self.recovering = false;
            self.event(t, "has reached a steady state.".to_string());
        }
    }
}

fn healthy(tasks: &[SimTask], deployment: usize) -> u32 {
    tasks.iter().filter(|k| k.deployment == deployment && k.is_live() && k.health == TaskHealth::Healthy).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::catalog::SERVICES;
    use crate::sim::rng::{rng_for, Stream};
    use crate::sim::tasks::Note;

    fn run(state: &mut ServiceState, from: i64, to: i64, rng: &mut ChaCha8Rng) -> Vec<Note> {
        let mut notes = Vec::new();
        for t in from..to {
            state.step(t, rng, &mut notes);
        }
        notes
    }

    #[test]
    fn scheduler_brings_a_good_deployment_to_steady_state() {
        let mut rng = rng_for(3, Stream::Tasks);
        let mut s = ServiceState::new(&SERVICES[1]);
        s.deploy(0, 9, false, &mut rng);
        run(&mut s, 0, 120, &mut rng);
        assert_eq!(s.primary().map(|d| d.rollout), Some(RolloutState::Completed));
        assert!(s.events.iter().any(|(_, m)| m.ends_with("has reached a steady state.")));
        assert_eq!(s.tasks.iter().filter(|k| k.is_serving()).count(), 2);
    }

    #[test]
    fn bad_deployment_trips_the_circuit_breaker() {
        let mut rng = rng_for(4, Stream::Tasks);
        let mut s = ServiceState::new(&SERVICES[0]);
        s.deploy(0, 14, false, &mut rng);
        run(&mut s, 0, 100, &mut rng);
        s.deploy(100, 15, true, &mut rng);
        let notes = run(&mut s, 100, 280, &mut rng);
        assert_eq!(s.primary().map(|d| d.rollout), Some(RolloutState::Failed));
        assert!(notes.iter().any(|n| matches!(n, Note::Stopping { fate: Fate::FailElb, .. })));
        // The old deployment keeps serving.
        assert_eq!(s.tasks.iter().filter(|k| k.revision == 14 && k.is_serving()).count(), 2);
    }
}
