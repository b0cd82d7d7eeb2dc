//! Make every piece of text that came from the cloud inert before the state keeps it, so no
//! name, reason or message can smuggle a terminal control sequence onto the screen.

use crate::domain::{Alarm, Comparison, CostReport, Endpoint, MetricId, Service, ServiceDetail, TargetGroupHealth};
use crate::sanitize::inert;

fn clean(s: &mut String) {
    if let std::borrow::Cow::Owned(cleaned) = inert(s) {
        *s = cleaned;
    }
}

pub fn service(s: &mut Service) {
    clean(&mut s.cluster);
    clean(&mut s.name);
    clean(&mut s.task_definition.family);
    if let Some(g) = s.log_group.as_mut() {
        clean(g);
    }
    if let Some(sys) = s.system.as_mut() {
        clean(sys);
    }
    s.target_groups.iter_mut().for_each(clean);
    for d in &mut s.deployments {
        clean(&mut d.id);
        clean(&mut d.status);
        clean(&mut d.task_definition.family);
    }
}

pub fn detail(d: &mut ServiceDetail) {
    for t in &mut d.tasks {
        clean(&mut t.id);
        clean(&mut t.last_status);
        clean(&mut t.desired_status);
        clean(&mut t.task_definition.family);
        t.stopped_reason.iter_mut().chain(t.ip.iter_mut()).for_each(clean);
    }
    for e in &mut d.events {
        clean(&mut e.message);
    }
}

pub fn endpoint(e: &mut Endpoint) {
    clean(&mut e.name);
    clean(&mut e.status);
    if let Some(g) = e.log_group.as_mut() {
        clean(g);
    }
    for v in &mut e.variants {
        clean(&mut v.name);
        clean(&mut v.instance_type);
    }
}

pub fn alarm(a: &mut Alarm) {
    clean(&mut a.name);
    clean(&mut a.reason);
    clean(&mut a.condition);
    if let Some(rule) = a.rule.as_mut() {
        rule.metric.iter_mut().for_each(metric_id);
        rule.stat.iter_mut().chain(rule.treat_missing.iter_mut()).for_each(clean);
        if let Comparison::Other(s) = &mut rule.comparison {
            clean(s);
        }
        for q in &mut rule.math {
            clean(&mut q.id);
            q.label.iter_mut().chain(q.expression.iter_mut()).chain(q.stat.iter_mut()).for_each(clean);
            q.metric.iter_mut().for_each(metric_id);
        }
    }
}

pub fn metric_id(m: &mut MetricId) {
    clean(&mut m.namespace);
    clean(&mut m.name);
    for (k, v) in &mut m.dimensions {
        clean(k);
        clean(v);
    }
}

pub fn target_group(g: &mut TargetGroupHealth) {
    clean(&mut g.arn);
    clean(&mut g.name);
    g.load_balancers.iter_mut().for_each(clean);
    let hc = &mut g.health_check;
    for field in [&mut hc.protocol, &mut hc.path, &mut hc.port, &mut hc.matcher].into_iter().flatten() {
        clean(field);
    }
    for t in &mut g.targets {
        clean(&mut t.id);
        t.reason.iter_mut().chain(t.description.iter_mut()).for_each(clean);
    }
}

pub fn cost(c: &mut CostReport) {
    clean(&mut c.currency);
    for (name, _) in &mut c.by_service {
        clean(name);
    }
    for s in &mut c.by_system {
        clean(&mut s.system);
    }
    for day in &mut c.daily {
        for (name, _) in &mut day.by_service {
            clean(name);
        }
    }
}

/// An audit entry read from disk: its text came from AWS once (names, error messages).
pub fn audit_entry(e: &mut crate::audit::AuditEntry) {
    for s in [&mut e.action, &mut e.resource, &mut e.command, &mut e.outcome, &mut e.who.arn, &mut e.who.user] {
        clean(s);
    }
    if let Some(inverse) = e.inverse.as_mut() {
        clean(inverse);
    }
}

/// What the confirm dialog shows of a plan. The snapshot itself stays as read: the conflict
/// check compares it with a fresh read, and it is never drawn.
pub fn plan(p: &mut crate::ops::Plan) {
    for c in &mut p.changes {
        clean(&mut c.field);
        clean(&mut c.before);
        clean(&mut c.after);
    }
    p.notes.iter_mut().chain(p.details.iter_mut()).for_each(clean);
    clean(&mut p.confirm_name);
}

pub fn env_overview(v: &mut crate::ops::env::EnvOverview) {
    clean(&mut v.saved_in);
    if let Some(e) = v.error.as_mut() {
        clean(e);
    }
    if let crate::ops::env::Shape::PartlyTornDown { why, .. } = &mut v.shape {
        clean(why);
    }
    for r in &mut v.resources {
        clean(&mut r.address);
        clean(&mut r.now);
        if let Some(s) = r.saved.as_mut() {
            clean(s);
        }
    }
}

pub fn function(f: &mut crate::domain::Function) {
    clean(&mut f.name);
    clean(&mut f.log_group);
    f.runtime.iter_mut().for_each(clean);
    for s in &mut f.event_sources {
        clean(&mut s.uuid);
        clean(&mut s.source_arn);
        clean(&mut s.state);
    }
}

pub fn function_detail(d: &mut crate::domain::FunctionDetail) {
    function(&mut d.function);
    d.arn.iter_mut().chain(d.handler.iter_mut()).chain(d.description.iter_mut()).for_each(clean);
    d.environment.iter_mut().for_each(clean);
    for v in &mut d.versions {
        clean(&mut v.version);
        v.description.iter_mut().for_each(clean);
    }
    for a in &mut d.aliases {
        clean(&mut a.name);
        clean(&mut a.version);
        a.weights.iter_mut().for_each(|(v, _)| clean(v));
    }
}

pub fn endpoint_models(m: &mut crate::domain::EndpointModels) {
    clean(&mut m.endpoint);
    for v in &mut m.variants {
        clean(&mut v.variant);
        clean(&mut v.model_name);
        for c in &mut v.containers {
            c.image.iter_mut().chain(c.model_data_url.iter_mut()).for_each(clean);
            for p in c.package.iter_mut().chain(c.newer_approved.iter_mut()) {
                clean(&mut p.arn);
                clean(&mut p.approval);
                p.group.iter_mut().for_each(clean);
            }
        }
    }
    for s in &mut m.monitoring {
        clean(&mut s.name);
        clean(&mut s.status);
        s.kind.iter_mut().for_each(clean);
        for e in &mut s.executions {
            clean(&mut e.status);
            e.report.iter_mut().chain(e.failure.iter_mut()).for_each(clean);
        }
    }
}
