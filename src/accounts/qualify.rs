//! Names in and out of a fleet member: what a member answers gets its place put in front of every
//! name that is used again to reach it (clusters, endpoints, functions, log groups, task
//! definition families, alarms); what is asked of a member has the place taken off again.

use crate::domain::place::{self, Placed};
use crate::domain::{
    Address, Alarm, Endpoint, EndpointModels, Function, FunctionDetail, MetricQuery, Mutation, RevisionHistory,
    ScalableResource, Service, ServiceDetail, Snapshot, TaskDefRef, TaskDefSpec,
};

/// `PLACE:NAME`; a name that already has a place keeps it.
pub fn name(place: &str, name: &str) -> String {
    match place::split(name).place {
        Some(_) => name.to_string(),
        None => place::join(place, name),
    }
}

fn put(place: &str, field: &mut String) {
    *field = name(place, field);
}

pub fn address(place: &str, address: &Address) -> Address {
    match address {
        Address::EcsService { cluster, service } => Address::ecs(name(place, cluster), service),
        Address::Endpoint { endpoint, variant } => {
            Address::Endpoint { endpoint: name(place, endpoint), variant: variant.clone() }
        }
        Address::Function { name: f } => Address::function(name(place, f)),
        // Rules are only reached through environments, which a fleet session does not run.
        other @ Address::Rule { .. } => other.clone(),
    }
}

fn task_def(place: &str, t: &mut TaskDefRef) {
    put(place, &mut t.family);
}

pub fn service(place: &str, s: &mut Service) {
    put(place, &mut s.cluster);
    if let Some(g) = s.log_group.as_mut() {
        put(place, g);
    }
    task_def(place, &mut s.task_definition);
    for d in &mut s.deployments {
        task_def(place, &mut d.task_definition);
    }
}

pub fn service_detail(place: &str, d: &mut ServiceDetail) {
    d.address = address(place, &d.address);
    for t in &mut d.tasks {
        task_def(place, &mut t.task_definition);
    }
    for r in &mut d.revisions {
        task_def(place, r);
    }
}

pub fn endpoint(place: &str, e: &mut Endpoint) {
    put(place, &mut e.name);
    if let Some(g) = e.log_group.as_mut() {
        put(place, g);
    }
}

pub fn endpoint_models(place: &str, m: &mut EndpointModels) {
    put(place, &mut m.endpoint);
}

/// The alarm's name and the resource it watches carry the place; its rule keeps AWS's dimensions
/// (they are compared with load balancer ARNs, which name their account already).
pub fn alarm(place: &str, a: &mut Alarm) {
    put(place, &mut a.name);
    a.watches = a.watches.as_ref().map(|w| address(place, w));
}

pub fn function(place: &str, f: &mut Function) {
    put(place, &mut f.name);
    put(place, &mut f.log_group);
}

pub fn function_detail(place: &str, d: &mut FunctionDetail) {
    function(place, &mut d.function);
}

pub fn snapshot(place: &str, s: &mut Snapshot) {
    match s {
        Snapshot::Service(s) => {
            service(place, &mut s.service);
            if let Some(t) = s.deployment.as_mut().and_then(|d| d.target.as_mut()) {
                task_def(place, t);
            }
        }
        Snapshot::Endpoint(e) => endpoint(place, &mut e.endpoint),
        Snapshot::Function(f) => put(place, &mut f.name),
        Snapshot::Rule(_) => {}
    }
}

pub fn revision_history(place: &str, h: &mut RevisionHistory) {
    h.revisions.iter_mut().chain(h.completed.iter_mut()).for_each(|t| task_def(place, t));
}

pub fn task_def_spec(place: &str, spec: &mut TaskDefSpec) {
    task_def(place, &mut spec.task_def);
}

/// A name's place and the bare name (an unplaced name has none).
pub fn strip(name: &str) -> (Option<&str>, String) {
    let Placed { place, name } = place::split(name);
    (place, name.to_string())
}

/// Every place named, and the value with them taken off.
pub struct Stripped<T> {
    pub places: Vec<String>,
    pub value: T,
}

struct Stripper {
    places: Vec<String>,
}

impl Stripper {
    fn take(&mut self, field: &mut String) {
        let (place, bare) = strip(field);
        if let Some(p) = place {
            if !self.places.iter().any(|q| q == p) {
                self.places.push(p.to_string());
            }
            *field = bare;
        }
    }

    fn address(&mut self, a: &mut Address) {
        match a {
            Address::EcsService { cluster, .. } => self.take(cluster),
            Address::Endpoint { endpoint, .. } => self.take(endpoint),
            Address::Function { name } => self.take(name),
            Address::Rule { .. } => {}
        }
    }

    fn resource(&mut self, r: &mut ScalableResource) {
        match r {
            ScalableResource::EcsService { cluster, .. } => self.take(cluster),
            ScalableResource::Variant { endpoint, .. } => self.take(endpoint),
        }
    }

    fn done<T>(self, value: T) -> Stripped<T> {
        Stripped { places: self.places, value }
    }
}

pub fn strip_address(address: &Address) -> Stripped<Address> {
    let mut s = Stripper { places: Vec::new() };
    let mut a = address.clone();
    s.address(&mut a);
    s.done(a)
}

pub fn strip_name(name: &str) -> Stripped<String> {
    let mut s = Stripper { places: Vec::new() };
    let mut n = name.to_string();
    s.take(&mut n);
    s.done(n)
}

pub fn strip_task_def(t: &TaskDefRef) -> Stripped<TaskDefRef> {
    let mut s = Stripper { places: Vec::new() };
    let mut t = t.clone();
    s.take(&mut t.family);
    s.done(t)
}

pub fn strip_resource(r: &ScalableResource) -> Stripped<ScalableResource> {
    let mut s = Stripper { places: Vec::new() };
    let mut r = r.clone();
    s.resource(&mut r);
    s.done(r)
}

/// A metric query's dimension values (a cluster, an endpoint, a function) may carry the place.
pub fn strip_queries(queries: &[MetricQuery]) -> Stripped<Vec<MetricQuery>> {
    let mut s = Stripper { places: Vec::new() };
    let mut queries = queries.to_vec();
    for q in &mut queries {
        for (_, v) in &mut q.metric.dimensions {
            s.take(v);
        }
    }
    s.done(queries)
}

pub fn strip_mutation(m: &Mutation) -> Stripped<Mutation> {
    let mut s = Stripper { places: Vec::new() };
    let mut m = m.clone();
    match &mut m {
        Mutation::SetDesiredCount { address, .. }
        | Mutation::ForceNewDeployment { address }
        | Mutation::RollbackDeployment { address, .. } => s.address(address),
        Mutation::SetTaskDefinition { address, task_def } => {
            s.address(address);
            s.take(&mut task_def.family);
        }
        Mutation::SetVariantInstances { endpoint, .. }
        | Mutation::Invoke { endpoint, .. }
        | Mutation::DeleteEndpoint { endpoint }
        | Mutation::CreateEndpoint { endpoint, .. }
        | Mutation::SetVariantCapacities { endpoint, .. } => s.take(endpoint),
        Mutation::SetScalingBounds { resource, .. }
        | Mutation::DeregisterScalingTarget { resource }
        | Mutation::PutScalingPolicy { resource, .. } => s.resource(resource),
        Mutation::InvokeFunction { function, .. } | Mutation::SetFunctionConcurrency { function, .. } => {
            s.take(function)
        }
        Mutation::SetRuleEnabled { .. } | Mutation::PutParameter { .. } | Mutation::DeleteParameters { .. } => {}
    }
    s.done(m)
}

pub fn strip_names(names: &[String]) -> Stripped<Vec<String>> {
    let mut s = Stripper { places: Vec::new() };
    let mut names = names.to_vec();
    names.iter_mut().for_each(|n| s.take(n));
    s.done(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placed_address_goes_out_and_comes_back_bare() {
        let a = address("prod@us-east-1", &Address::ecs("app", "api"));
        assert_eq!(a.to_string(), "ecs:prod@us-east-1:app/api");
        assert_eq!(a.to_string().parse::<Address>(), Ok(a.clone()), "the grammar takes a placed address");
        let back = strip_address(&a);
        assert_eq!(back.places, vec!["prod@us-east-1".to_string()]);
        assert_eq!(back.value, Address::ecs("app", "api"));
        // Placing twice does not stack places.
        assert_eq!(address("prod@us-east-1", &a), a);
    }

    #[test]
    fn a_mutation_names_the_places_of_everything_it_touches() {
        let m = Mutation::SetTaskDefinition {
            address: Address::ecs("prod@us-east-1:app", "api"),
            task_def: TaskDefRef { family: "prod@us-east-1:api".into(), revision: 14 },
        };
        let s = strip_mutation(&m);
        assert_eq!(s.places, vec!["prod@us-east-1".to_string()]);
        assert_eq!(
            s.value,
            Mutation::SetTaskDefinition {
                address: Address::ecs("app", "api"),
                task_def: TaskDefRef { family: "api".into(), revision: 14 }
            }
        );
        let mixed = Mutation::SetTaskDefinition {
            address: Address::ecs("prod@us-east-1:app", "api"),
            task_def: TaskDefRef { family: "staging@us-east-1:api".into(), revision: 14 },
        };
        assert_eq!(strip_mutation(&mixed).places.len(), 2, "two places in one mutation are seen");
    }
}
