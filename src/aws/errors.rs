//! SDK errors turned into what an on-call engineer can act on: the IAM action that is missing,
//! the API that throttled, the command that fixes expired credentials.

use crate::backend::BackendError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// `action` is the IAM action of the call, e.g. "ecs:DescribeServices".
pub fn classify<E>(action: &str, profile: &str, err: &E) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error,
{
    let code = err.code().unwrap_or_default();
    let message = err.message().unwrap_or_default().to_string();
    classify_parts(action, profile, code, &message, &DisplayErrorContext(err).to_string())
}

pub fn classify_parts(action: &str, profile: &str, code: &str, message: &str, context: &str) -> BackendError {
    let api = action.split(':').nth(1).unwrap_or(action).to_string();
    let login_hint = if profile == "default" {
        "refresh your credentials (e.g. `aws sso login`)".to_string()
    } else {
        format!("run `aws sso login --profile {profile}` (or refresh that profile's keys)")
    };
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnauthorizedException"
        | "AuthorizationError" => BackendError::AccessDenied {
            action: action.to_string(),
            detail: if message.is_empty() { code.to_string() } else { message.to_string() },
        },
        // A throttled test invocation did not run: say so, and why Lambda refuses it.
        "TooManyRequestsException" if action == "lambda:InvokeFunction" => BackendError::Throttled {
            api: format!(
                "Lambda Invoke ({}): the function's reserved concurrency or the account's concurrency limit is used \
                 up, so it did not run",
                if message.is_empty() { code } else { message }
            ),
        },
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "LimitExceededException" => BackendError::Throttled { api },
        // Said the same way on every pane and in every action's outcome: what happened, then the fix.
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            BackendError::Credentials(format!("expired ({api} answered {code}): {login_hint}"))
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "MissingAuthenticationToken" => BackendError::Credentials(format!("{code}: {login_hint}")),
        "ResourceNotFoundException" | "ClusterNotFoundException" | "ServiceNotFoundException" => {
            BackendError::NotFound(format!("{api}: {message}"))
        }
        // SageMaker says a missing endpoint is invalid input; ECS says a missing task definition
        // revision is the client's fault ("Unable to describe task definition.").
        "ValidationException" if message.starts_with("Could not find") => {
            BackendError::NotFound(format!("{api}: {message}"))
        }
        "ClientException" if missing_in_ecs(message) => BackendError::NotFound(format!("{api}: {message}")),
        // A query or a metric request that does not stand as written: AWS's own words, for the
        // person who wrote it (exit 2, like any bad input).
        "MalformedQueryException" => BackendError::Invalid(format!("{api}: {message}")),
        "InvalidParameterException" | "InvalidParameterValue" | "InvalidParameterCombination" | "ValidationError"
            if action.starts_with("logs:") || action == "cloudwatch:GetMetricData" =>
        {
            BackendError::Invalid(format!("{api}: {message}"))
        }
        "" => classify_transport(&api, &login_hint, context),
        other => BackendError::Other(format!("{api}: {other}: {message}")),
    }
}

fn missing_in_ecs(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("unable to describe task definition") || lower.contains("not found")
}

/// No service error code: the request never got an answer (network, TLS, credentials, timeout).
fn classify_transport(api: &str, login_hint: &str, context: &str) -> BackendError {
    let lower = context.to_ascii_lowercase();
    if lower.contains("response error") {
        // An answer came, but not an AWS one (an HTML error page: a proxy, or an endpoint that
        // does not implement the API). Its body is no use on screen; its status is.
        let status = context
            .split("StatusCode(")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .map_or(String::new(), |code| format!("HTTP {code} "));
        BackendError::Other(format!(
            "{api}: {status}answer that is not an AWS response (does this endpoint implement {api}?)"
        ))
    } else if lower.contains("credential")
        || lower.contains("token") && lower.contains("expired")
        || lower.contains("sso")
    {
        BackendError::Credentials(format!("{api}: no usable credentials: {login_hint}"))
    } else if lower.contains("timeout") || lower.contains("timed out") {
        BackendError::Network(format!("{api}: timed out (is the network or a proxy blocking AWS?)"))
    } else if lower.contains("certificate") || lower.contains("tls") {
        BackendError::Network(format!("{api}: TLS failed (behind TLS interception? set AWS_CA_BUNDLE): {context}"))
    } else {
        BackendError::Network(format!("{api}: {context}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_what_the_user_can_do() {
        let e = classify_parts("ecs:DescribeServices", "prod", "AccessDeniedException", "not authorized", "");
        assert_eq!(e.to_string(), "access denied: ecs:DescribeServices is not allowed (not authorized)");
        let e = classify_parts("ecs:DescribeServices", "prod", "ThrottlingException", "Rate exceeded", "");
        assert_eq!(e, BackendError::Throttled { api: "DescribeServices".into() });
        let e = classify_parts("lambda:InvokeFunction", "prod", "TooManyRequestsException", "Rate Exceeded.", "");
        assert!(matches!(&e, BackendError::Throttled { api } if api.contains("did not run")), "{e}");
        assert!(e.to_string().starts_with("throttled by Lambda Invoke (Rate Exceeded.)"), "{e}");
        let e = classify_parts("lambda:ListFunctions", "prod", "TooManyRequestsException", "Rate Exceeded.", "");
        assert_eq!(e, BackendError::Throttled { api: "ListFunctions".into() });
        let e = classify_parts("ecs:ListClusters", "prod", "ExpiredTokenException", "expired", "");
        assert_eq!(
            e.to_string(),
            "credentials expired (ListClusters answered ExpiredTokenException): run `aws sso login --profile prod` \
             (or refresh that profile's keys)"
        );
        let e = classify_parts("ecs:ListClusters", "default", "", "", "dispatch failure: timeout: operation timed out");
        assert!(matches!(e, BackendError::Network(ref m) if m.contains("timed out")), "{e}");
        let e = classify_parts("ecs:ListClusters", "p", "", "", "failed to load credentials from the provider chain");
        assert!(matches!(e, BackendError::Credentials(_)), "{e}");
        let e = classify_parts(
            "sagemaker:DescribeEndpoint",
            "p",
            "ValidationException",
            "Could not find endpoint 'arn:aws:sagemaker:us-east-1:1:endpoint/x'.",
            "",
        );
        assert!(matches!(e, BackendError::NotFound(_)), "{e}");
        let e = classify_parts(
            "ecs:DescribeTaskDefinition",
            "p",
            "ClientException",
            "Unable to describe task definition.",
            "",
        );
        assert!(matches!(e, BackendError::NotFound(_)), "{e}");
        let context = "response error: invalid input: malformed JSON error body (ResponseError { raw: Response { \
                       status: StatusCode(500), body: b\"<!doctype html>\" } })";
        let e = classify_parts("ecs:StopServiceDeployment", "p", "", "", context);
        assert_eq!(
            e.to_string(),
            "StopServiceDeployment: HTTP 500 answer that is not an AWS response (does this endpoint implement \
             StopServiceDeployment?)"
        );
        let e = classify_parts("ecs:UpdateService", "p", "ClientException", "Invalid desired count", "");
        assert!(matches!(e, BackendError::Other(_)), "{e}");
    }
}
