//! `template.yaml` and the code describe the same stack: one function per binary and one binary
//! per function (`deploy/Makefile` says which); each function answers exactly the API routes the template sends it; each gets
//! exactly the environment variables its cold start reads (nothing through `Globals`, nothing a
//! function does not use, and everything it requires, checked by running the cold start on the
//! template's values alone); and each is granted every table, queue, bucket and secret those
//! variables name, and no other.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use serde_norway::Value;
use visions_aws::Aws;

/// Read by libraries rather than through the function's settings: `lambda_http` strips the
/// REST stage from paths when this is set, so every HTTP function needs it.
const READ_BY_LAMBDA_HTTP: &str = "AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH";
/// Read by every `main` (`telemetry::init`) before the cold start this test runs.
const READ_BY_MAIN: &str = "RUST_LOG";
/// Resource types a function touches through its variables, and must be granted.
const GRANTED_TYPES: [&str; 4] = [
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
];

/// Named to a function that never reads the resource itself: the generation API checks that a
/// requested model's provider is configured (its key's ARN is set), and never fetches the key.
fn named_not_touched(function: &str, id: &str) -> bool {
    function == "GenerateFunction" && id.ends_with("ApiKeyArn")
}

fn template() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

fn mapping(value: Option<&Value>) -> Vec<(String, Value)> {
    value
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.clone())))
                .collect()
        })
        .unwrap_or_default()
}

struct Function {
    logical_id: String,
    binary: String,
    env: Vec<(String, Value)>,
    policies: Value,
    /// `(METHOD, path)` of its Api events, CORS preflights left out.
    routes: BTreeSet<(String, String)>,
    /// Logical ids its non-Api events read from (an SQS queue).
    event_sources: BTreeSet<String>,
}

fn functions(template: &Value) -> Vec<Function> {
    mapping(template.get("Resources"))
        .into_iter()
        .filter(|(_, r)| {
            get(r, &["Type"]).and_then(Value::as_str) == Some("AWS::Serverless::Function")
        })
        .map(|(logical_id, r)| {
            assert_eq!(
                get(&r, &["Metadata", "BuildMethod"]).and_then(Value::as_str),
                Some("makefile"),
                "{logical_id} is built by deploy/Makefile"
            );
            assert_eq!(
                get(&r, &["Properties", "CodeUri"]).and_then(Value::as_str),
                Some("deploy/"),
                "{logical_id}"
            );
            let binary = makefile_binaries()
                .remove(&logical_id)
                .unwrap_or_else(|| panic!("deploy/Makefile has no build-{logical_id}"));
            let mut routes = BTreeSet::new();
            let mut event_sources = BTreeSet::new();
            for (_, event) in mapping(get(&r, &["Properties", "Events"])) {
                let properties = event.get("Properties").cloned().unwrap_or(Value::Null);
                if get(&event, &["Type"]).and_then(Value::as_str) == Some("Api") {
                    let method = get(&properties, &["Method"])
                        .and_then(Value::as_str)
                        .unwrap();
                    let path = get(&properties, &["Path"]).and_then(Value::as_str).unwrap();
                    if method != "OPTIONS" {
                        routes.insert((method.to_uppercase(), path.to_owned()));
                    }
                } else {
                    event_sources.extend(references(&properties));
                }
            }
            Function {
                binary,
                env: mapping(get(&r, &["Properties", "Environment", "Variables"])),
                policies: get(&r, &["Properties", "Policies"])
                    .cloned()
                    .unwrap_or(Value::Null),
                routes,
                event_sources,
                logical_id,
            }
        })
        .collect()
}

/// The logical ids and parameters a value refers to (`!Ref X`, `!GetAtt X.Attr`, `${X}` in
/// `!Sub`), anywhere inside it.
fn references(value: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                match (tag.trim_start_matches('!'), &tagged.value) {
                    ("Ref", Value::String(name)) => {
                        found.insert(name.clone());
                    }
                    ("GetAtt", Value::String(name)) => {
                        found.insert(name.split('.').next().unwrap_or_default().to_owned());
                    }
                    ("Sub", Value::String(text)) => {
                        for piece in text.split("${").skip(1) {
                            let name = piece.split(['}', '.']).next().unwrap_or_default();
                            found.insert(name.to_owned());
                        }
                    }
                    (_, inner) => stack.push(inner),
                }
            }
            Value::Sequence(items) => stack.extend(items),
            Value::Mapping(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    found
}

/// A variable's value as the deployed function would see it, or `None` when the template leaves
/// it unset by default (an empty parameter, an `!If` whose branch is `AWS::NoValue`). Resources
/// stand in as their logical ids: the cold start builds clients, it calls nothing.
fn resolve(template: &Value, value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(tagged) => match (
            tagged.tag.to_string().trim_start_matches('!'),
            &tagged.value,
        ) {
            ("Ref", Value::String(name)) if name == "AWS::NoValue" => None,
            ("Ref", Value::String(name)) => match get(template, &["Parameters", name]) {
                Some(parameter) => parameter.get("Default").and_then(|d| resolve(template, d)),
                None => Some(name.clone()),
            },
            ("If", Value::Sequence(branches)) => resolve(template, branches.get(1)?),
            ("Sub", Value::String(text)) => {
                let mut out = String::new();
                let mut rest = text.as_str();
                while let Some(start) = rest.find("${") {
                    out.push_str(&rest[..start]);
                    out.push('x');
                    rest = rest[start..].split_once('}').map_or("", |(_, after)| after);
                }
                out.push_str(rest);
                Some(out)
            }
            (_, _) => Some("x".to_owned()),
        },
        _ => None,
    }
}

/// Runs the cold start of `binary` on `lookup`, as its `main` does.
fn cold_start(binary: &str, aws: &Aws) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    match binary {
        "projects" => visions_projects::lambda::app(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        "generate" => visions_generate::lambda::app(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        "retrieve" => visions_retrieve::lambda::app(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        "generate-worker" => visions_worker::lambda::worker(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        "image" => visions_image::lambda::app(aws).map(drop).map_err(|x| e(&x)),
        "optimize" => visions_optimize::lambda::ports(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        "meter" => visions_meter::lambda::app(aws).map(drop).map_err(|x| e(&x)),
        "meter-usage" => visions_meter::lambda::usage(aws)
            .map(drop)
            .map_err(|x| e(&x)),
        other => panic!("the template builds `{other}`, which this test does not know"),
    }
}

/// The routes `binary` answers, from its router's OpenAPI paths.
fn served_routes(binary: &str) -> BTreeSet<(String, String)> {
    let documents = match binary {
        "projects" => vec![
            visions_api::system_routes().into_openapi(),
            visions_projects::routes().into_openapi(),
        ],
        "generate" => vec![visions_generate::routes().into_openapi()],
        "retrieve" => vec![visions_retrieve::routes().into_openapi()],
        "image" => vec![visions_image::routes().into_openapi()],
        "meter" => vec![visions_meter::routes().into_openapi()],
        _ => vec![],
    };
    let mut routes = BTreeSet::new();
    for document in documents {
        let document = serde_json::to_value(document).unwrap();
        for (path, item) in document
            .get("paths")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
                if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

/// `build-<LogicalId>` target → the binary it copies, from `deploy/Makefile`.
fn makefile_binaries() -> BTreeMap<String, String> {
    let makefile =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/Makefile"))
            .unwrap();
    let mut targets = BTreeMap::new();
    let mut target = None;
    for line in makefile.lines() {
        if let Some(name) = line
            .strip_prefix("build-")
            .and_then(|l| l.strip_suffix(':'))
        {
            target = Some(name.to_owned());
        } else if let (Some(binary), Some(name)) = (
            line.trim()
                .strip_prefix("$(call copy,")
                .and_then(|l| l.strip_suffix(')')),
            target.take(),
        ) {
            targets.insert(name, binary.to_owned());
        }
    }
    targets
}

/// The `[[bin]]` names of every function crate.
fn binaries() -> BTreeSet<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let manifest: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
        for bin in manifest
            .get("bin")
            .and_then(|b| b.as_array())
            .into_iter()
            .flatten()
        {
            names.insert(bin.get("name").and_then(|n| n.as_str()).unwrap().to_owned());
        }
    }
    names
}

#[test]
fn every_binary_is_a_function_and_every_function_a_binary() {
    let template = template();
    let functions = functions(&template);
    let built: BTreeSet<String> = functions.iter().map(|f| f.binary.clone()).collect();
    assert_eq!(built, binaries());
    let declared: BTreeSet<String> = functions.into_iter().map(|f| f.logical_id).collect();
    let targets: BTreeSet<String> = makefile_binaries().into_keys().collect();
    assert_eq!(
        targets, declared,
        "deploy/Makefile builds exactly the template's functions"
    );
    let globals = get(&template, &["Globals", "Function"]).unwrap();
    assert_eq!(
        get(globals, &["Runtime"]).and_then(Value::as_str),
        Some("provided.al2023")
    );
    assert_eq!(
        get(globals, &["Architectures"])
            .and_then(|a| a.get(0))
            .and_then(Value::as_str),
        Some("arm64")
    );
    for (name, _) in mapping(Some(globals)) {
        assert!(
            !["Environment", "Policies", "MemorySize", "Timeout"].contains(&name.as_str()),
            "Globals gives every function its {name}: each function states its own"
        );
    }
}

#[test]
fn each_function_answers_exactly_the_routes_the_template_sends_it() {
    for function in functions(&template()) {
        assert_eq!(
            function.routes,
            served_routes(&function.binary),
            "{}: the template's Api events (left) and the router's routes (right) differ",
            function.logical_id
        );
    }
}

#[tokio::test]
async fn each_function_gets_exactly_the_variables_its_cold_start_reads() {
    let template = template();
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    for function in functions(&template) {
        let name = &function.logical_id;
        let values: BTreeMap<String, Option<String>> = function
            .env
            .iter()
            .map(|(k, v)| (k.clone(), resolve(&template, v)))
            .collect();
        let read = Arc::new(Mutex::new(BTreeSet::new()));
        let lookup = {
            let (read, values) = (read.clone(), values.clone());
            Arc::new(move |var: &str| {
                read.lock().unwrap().insert(var.to_owned());
                values.get(var).cloned().flatten()
            })
        };
        let aws = Aws::new(sdk.clone(), lookup);
        cold_start(&function.binary, &aws)
            .unwrap_or_else(|e| panic!("{name} does not start on the template's variables: {e}"));
        let read = read.lock().unwrap().clone();
        let http = !function.routes.is_empty();
        for var in values.keys() {
            let by_library = var == READ_BY_MAIN || (http && var == READ_BY_LAMBDA_HTTP);
            assert!(
                by_library || read.contains(var),
                "{name} sets {var}, which its cold start never reads"
            );
        }
        assert!(
            values.contains_key(READ_BY_MAIN),
            "{name} has no {READ_BY_MAIN}"
        );
        assert_eq!(
            values.contains_key(READ_BY_LAMBDA_HTTP),
            http,
            "{name}: {READ_BY_LAMBDA_HTTP} belongs on exactly the HTTP functions"
        );
    }
}

#[test]
fn each_function_is_granted_exactly_the_resources_its_variables_name() {
    let template = template();
    let resources = mapping(template.get("Resources"));
    let granted_kinds: BTreeSet<String> = resources
        .iter()
        .filter(|(_, r)| {
            get(r, &["Type"])
                .and_then(Value::as_str)
                .is_some_and(|t| GRANTED_TYPES.contains(&t))
        })
        .map(|(id, _)| id.clone())
        .chain(
            mapping(template.get("Parameters"))
                .into_iter()
                .map(|(id, _)| id)
                .filter(|id| id.ends_with("ApiKeyArn")),
        )
        .collect();
    for function in functions(&template) {
        let name = &function.logical_id;
        let named: BTreeSet<String> = function
            .env
            .iter()
            .flat_map(|(_, v)| references(v))
            .filter(|id| granted_kinds.contains(id))
            .collect();
        let granted: BTreeSet<String> = references(&function.policies)
            .into_iter()
            .filter(|id| granted_kinds.contains(id))
            .collect();
        for id in named.iter().filter(|id| !named_not_touched(name, id)) {
            assert!(
                granted.contains(id),
                "{name} is given {id} but not granted it"
            );
        }
        for id in &granted {
            assert!(
                named.contains(id) || function.event_sources.contains(id),
                "{name} is granted {id}, which none of its variables or events name"
            );
        }
    }
}

/// The template's value at `path` as text (`!Ref`s and `!Sub`s left as they are).
fn text(value: &Value, path: &[&str]) -> Option<String> {
    match get(value, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[tokio::test]
async fn aws_bootstrap_creates_the_templates_tables_queues_buckets_and_secrets() {
    use visions_ai::emulator::name;
    let template = template();
    let sdk = visions_tests::moto::sdk_config().await;
    let stack = visions_tests::moto::unique("tpl");
    visions_ai::emulator::bootstrap(&sdk, &stack).await.unwrap();
    let resources = mapping(template.get("Resources"));
    let of_type = |kind: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| get(r, &["Type"]).and_then(Value::as_str) == Some(kind))
    };
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    for (id, _) in of_type("AWS::DynamoDB::Table") {
        let table = name(&stack, id);
        dynamo
            .describe_table()
            .table_name(&table)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("no table {table} for {id}: {e}");
            });
    }

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut queues = 0;
    for (id, queue) in of_type("AWS::SQS::Queue") {
        queues += 1;
        let queue_name = name(&stack, id);
        let url = sqs
            .get_queue_url()
            .queue_name(&queue_name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("no queue {queue_name} for {id}: {e}"))
            .queue_url
            .unwrap();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        let attribute = |name: &str| {
            attributes
                .get(&aws_sdk_sqs::types::QueueAttributeName::from(name))
                .cloned()
        };
        let properties = queue.get("Properties").cloned().unwrap_or(Value::Null);
        let visibility = text(&properties, &["VisibilityTimeout"]).unwrap_or_else(|| "30".into());
        assert_eq!(attribute("VisibilityTimeout"), Some(visibility), "{id}");
        if let Some(retention) = text(&properties, &["MessageRetentionPeriod"]) {
            assert_eq!(attribute("MessageRetentionPeriod"), Some(retention), "{id}");
        }
        let redrive = attribute("RedrivePolicy")
            .map(|r| serde_json::from_str::<serde_json::Value>(&r).unwrap());
        match properties.get("RedrivePolicy") {
            None => assert_eq!(
                redrive, None,
                "{id} has no dead-letter queue in the template"
            ),
            Some(policy) => {
                let redrive = redrive.unwrap_or_else(|| panic!("{id} has no dead-letter queue"));
                let receives = text(policy, &["maxReceiveCount"]).unwrap();
                assert_eq!(
                    redrive.get("maxReceiveCount").map(|v| v.to_string()),
                    Some(receives)
                );
                let target = references(policy).into_iter().next().unwrap();
                let arn = redrive.get("deadLetterTargetArn").and_then(|a| a.as_str());
                assert!(
                    arn.is_some_and(|a| a.ends_with(&format!(":{}", name(&stack, &target)))),
                    "{id} dead-letters to {arn:?}, not {target}"
                );
            }
        }
    }
    assert!(
        queues >= 6,
        "the template's queues and their dead-letter queues"
    );

    let s3 = visions_aws::s3_client(&sdk);
    for (id, bucket) in of_type("AWS::S3::Bucket") {
        let bucket_name = name(&stack, id);
        s3.head_bucket()
            .bucket(&bucket_name)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("no bucket {bucket_name} for {id}: {e}");
            });
        let notifications = get(
            bucket,
            &[
                "Properties",
                "NotificationConfiguration",
                "QueueConfigurations",
            ],
        )
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
        // (moto answers for a bucket without notifications in a shape the SDK cannot read.)
        if notifications.is_empty() {
            continue;
        }
        let created = s3
            .get_bucket_notification_configuration()
            .bucket(&bucket_name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            created.queue_configurations().len(),
            notifications.len(),
            "{id}"
        );
        for (declared, created) in notifications.iter().zip(created.queue_configurations()) {
            let queue = references(declared).into_iter().next().unwrap();
            assert!(
                created
                    .queue_arn()
                    .ends_with(&format!(":{}", name(&stack, &queue)))
            );
            let prefix = get(declared, &["Filter", "S3Key", "Rules"])
                .and_then(|r| r.get(0))
                .and_then(|r| text(r, &["Value"]));
            let created_prefix = created
                .filter()
                .and_then(|f| f.key())
                .and_then(|k| k.filter_rules().first())
                .and_then(|r| r.value())
                .map(str::to_owned);
            assert_eq!(created_prefix, prefix, "{id}'s notification filter");
        }
    }

    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    for (id, _) in of_type("AWS::SecretsManager::Secret") {
        let secret = name(&stack, id);
        secrets
            .describe_secret()
            .secret_id(&secret)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("no secret {secret} for {id}: {e}");
            });
    }

    let plans = aws_sdk_apigateway::Client::new(&sdk)
        .get_usage_plans()
        .limit(500)
        .send()
        .await
        .unwrap();
    let plan_names: BTreeSet<&str> = plans.items().iter().filter_map(|p| p.name()).collect();
    for (id, plan) in of_type("AWS::ApiGateway::UsagePlan") {
        let declared = match get(plan, &["Properties", "UsagePlanName"]) {
            Some(Value::Tagged(sub)) => sub.value.as_str().unwrap().to_owned(),
            other => panic!("{id}'s name is {other:?}"),
        };
        let expected = declared.replace("${AWS::StackName}", &stack);
        assert!(
            plan_names.contains(expected.as_str()),
            "no usage plan {expected} for {id}"
        );
    }
}

/// The template's functions by binary, and the emulator's copy of its stack.
struct Deployment {
    template: Value,
    sdk: aws_config::SdkConfig,
    stack: visions_aws::AwsSettings,
    functions: BTreeMap<String, Function>,
}

async fn deployment(stack_prefix: &str) -> Deployment {
    let template = template();
    let sdk = visions_tests::moto::sdk_config().await;
    let stack = visions_ai::emulator::bootstrap(&sdk, &visions_tests::moto::unique(stack_prefix))
        .await
        .unwrap();
    let functions = functions(&template)
        .into_iter()
        .map(|f| (f.binary.clone(), f))
        .collect();
    Deployment {
        template,
        sdk,
        stack,
        functions,
    }
}

/// `lookup` for `function` as deployed on the emulator's copy of the stack: the variables the
/// template sets on it (and no other), each resource one `aws-bootstrap` made, parameters at
/// their defaults.
fn deployed(
    template: &Value,
    function: &Function,
    stack: &visions_aws::AwsSettings,
) -> visions_aws::Lookup {
    let resources = stack.lookup();
    let values: BTreeMap<String, Option<String>> = function
        .env
        .iter()
        .map(|(k, v)| (k.clone(), resources(k).or_else(|| resolve(template, v))))
        .collect();
    Arc::new(move |var: &str| values.get(var).cloned().flatten())
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    use tower::ServiceExt;
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string());
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map_or_else(axum::body::Body::empty, |b| {
        axum::body::Body::from(b.to_string())
    });
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// The messages waiting on `queue_url`, as the SQS event Lambda would deliver them.
async fn receive(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
) -> aws_lambda_events::event::sqs::SqsEvent {
    let mut records = Vec::new();
    for _ in 0..20 {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for message in received.messages() {
            records.push(serde_json::json!({
                "messageId": message.message_id(),
                "receiptHandle": message.receipt_handle(),
                "body": message.body(),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
            }));
        }
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
}

/// Each function, started from the template's variables alone (pointed at the emulator's copy
/// of the stack), does its real work: a project is made, a page generated by the worker from the
/// job the generate function queued, designs searched, an image made, credits read and usage
/// settled (optimize only starts: its input is a browser's upload, driven in `uploads`). A
/// resource the code touches at run time but the template does not give the function (a secret
/// the pipeline reads, a queue it answers on) fails here.
#[tokio::test]
async fn each_function_does_its_work_on_the_templates_variables_alone() {
    let Deployment {
        template,
        sdk,
        stack,
        functions,
    } = deployment("run").await;
    let aws = |binary: &str| Aws::new(sdk.clone(), deployed(&template, &functions[binary], &stack));

    let jwt_key = aws_sdk_secretsmanager::Client::new(&sdk)
        .get_secret_value()
        .secret_id(&stack.jwt_key_arn)
        .send()
        .await
        .unwrap()
        .secret_string
        .unwrap();
    let jwt = visions_api::auth::JwtSettings::from_lookup(aws("projects").lookup()).unwrap();
    let token = visions_api::auth::issue_hs256(
        &jwt,
        &jwt_key,
        &visions_api::auth::TokenRequest {
            sub: "deployed",
            tier: visions_api::auth::Tier::Pro,
            admin: false,
            ttl_secs: 600,
        },
    )
    .unwrap();

    let projects = visions_projects::lambda::app(&aws("projects")).unwrap();
    let (status, project) = call(
        &projects,
        "POST",
        "/v1/projects",
        &token,
        Some(serde_json::json!({"name": "Deployed bakery"})),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let id = project
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap()
        .to_owned();
    let (status, listed) = call(&projects, "GET", "/v1/projects?limit=5", &token, None).await;
    assert_eq!(status, 200, "{listed}");

    let generate = visions_generate::lambda::app(&aws("generate")).unwrap();
    let brief =
        "Landing page for Rosa's Bakery, a sourdough bakery in Portland taking weekend pre-orders.";
    let (status, job) = call(
        &generate,
        "POST",
        &format!("/v1/projects/{id}/generate"),
        &token,
        Some(serde_json::json!({ "prompt": brief })),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    let job_id = job.get("id").and_then(|v| v.as_str()).unwrap().to_owned();

    let (worker, redelivery) = visions_worker::lambda::worker(&aws("generate-worker")).unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let jobs = receive(&sqs, &stack.queue_url).await;
    assert_eq!(jobs.records.len(), 1);
    let outcome = visions_worker::handle_batch(&worker, jobs, Some(redelivery.as_ref())).await;
    let (status, done) = call(
        &generate,
        "GET",
        &format!("/v1/jobs/{job_id}"),
        &token,
        None,
    )
    .await;
    assert!(outcome.batch_item_failures.is_empty(), "{done}");
    assert_eq!(
        (status, done.get("status").and_then(|s| s.as_str())),
        (200, Some("succeeded")),
        "{done}"
    );
    let (status, versions) = call(
        &generate,
        "GET",
        &format!("/v1/projects/{id}/versions"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{versions}");

    let retrieve = visions_retrieve::lambda::app(&aws("retrieve")).unwrap();
    let (status, found) = call(
        &retrieve,
        "GET",
        "/v1/designs/search?q=sourdough%20bakery&k=3",
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");

    let image = visions_image::lambda::app(&aws("image")).unwrap();
    let (status, made) = call(
        &image,
        "POST",
        "/v1/images",
        &token,
        Some(serde_json::json!({"prompt": "Sourdough loaves on a linen cloth", "size": "wide"})),
    )
    .await;
    assert!(status < 300, "{status}: {made}");

    let meter = visions_meter::lambda::app(&aws("meter")).unwrap();
    let (status, credits) = call(&meter, "GET", "/v1/credits", &token, None).await;
    assert_eq!(status, 200, "{credits}");
    let usage = receive(&sqs, stack.usage_queue_url.as_deref().unwrap()).await;
    assert!(
        !usage.records.is_empty(),
        "the worker and the image function report usage"
    );
    let ledger = visions_meter::lambda::usage(&aws("meter-usage")).unwrap();
    let settled = visions_meter::handle_usage_batch(ledger.as_ref(), usage).await;
    assert!(settled.batch_item_failures.is_empty());

    visions_optimize::lambda::ports(&aws("optimize")).unwrap();
}

/// Every queue a function consumes redelivers only after six of its consumer's timeouts, sets a
/// message aside after at least 5 receives, and its event source reports partial batch failures.
#[test]
fn each_queue_outlasts_its_consumer_and_dead_letters_after_five_receives() {
    let template = template();
    let resources: BTreeMap<String, Value> =
        mapping(template.get("Resources")).into_iter().collect();
    let number = |value: Option<&Value>| -> u64 {
        match value {
            Some(Value::Number(n)) => n.as_u64().unwrap(),
            Some(Value::String(s)) => s.parse().unwrap(),
            other => panic!("not a number: {other:?}"),
        }
    };
    let mut consumers = 0;
    for (id, function) in &resources {
        if get(function, &["Type"]).and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let timeout = number(get(function, &["Properties", "Timeout"]));
        for (_, event) in mapping(get(function, &["Properties", "Events"])) {
            if get(&event, &["Type"]).and_then(Value::as_str) != Some("SQS") {
                continue;
            }
            consumers += 1;
            let queue_id = references(get(&event, &["Properties", "Queue"]).unwrap())
                .into_iter()
                .next()
                .unwrap();
            let queue = &resources[&queue_id];
            let visibility = number(get(queue, &["Properties", "VisibilityTimeout"]));
            assert!(
                visibility >= 6 * timeout,
                "{queue_id}: visibility {visibility} s, consumer {id} runs up to {timeout} s"
            );
            let receives = number(get(
                queue,
                &["Properties", "RedrivePolicy", "maxReceiveCount"],
            ));
            assert!(
                receives >= 5,
                "{queue_id} dead-letters after {receives} receives"
            );
            let responses = get(&event, &["Properties", "FunctionResponseTypes"])
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            assert!(
                responses
                    .iter()
                    .any(|r| r.as_str() == Some("ReportBatchItemFailures")),
                "{id}'s {queue_id} event does not report partial batch failures"
            );
        }
    }
    assert_eq!(
        consumers, 3,
        "the jobs, optimize and usage queues' consumers"
    );
}

/// With `JwtPublicKey` set, the functions verify EdDSA tokens on that key alone: their JWT key
/// secret here does not exist, and a function that asked Secrets Manager for it would answer 500.
#[tokio::test]
async fn with_a_public_key_the_functions_verify_tokens_without_secrets_manager() {
    let Deployment {
        template,
        sdk,
        stack,
        functions,
    } = deployment("pk").await;
    let missing_secret = stack.jwt_key_arn.replace("JwtKeySecret", "NoSuchSecret");
    let aws = |binary: &str, public_key: Option<&str>| {
        let deployed = deployed(&template, &functions[binary], &stack);
        let public_key = public_key.map(str::to_owned);
        let missing_secret = missing_secret.clone();
        let lookup: visions_aws::Lookup = Arc::new(move |var: &str| match var {
            "VISIONS_JWT_ALG" => Some("EdDSA".to_owned()),
            "VISIONS_JWT_PUBLIC_KEY" => public_key.clone(),
            "VISIONS_JWT_KEY_ARN" => Some(missing_secret.clone()),
            other => deployed(other),
        });
        Aws::new(sdk.clone(), lookup)
    };
    let settings =
        visions_api::auth::JwtSettings::from_lookup(aws("projects", None).lookup()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &serde_json::json!({
            "sub": "keyed", "tier": "pro", "iss": settings.issuer, "aud": settings.audience,
            "iat": now, "nbf": now, "exp": now + 600,
        }),
        &jsonwebtoken::EncodingKey::from_ed_pem(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/ed25519-private.pem"
            ))
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let x = "Aq0CJH6AWz8D8FA2PkujK6Fsl9JuqC_iG4n-lyw5pco"; // of fixtures/ed25519-public.pem

    for (binary, uri) in [
        ("retrieve", "/v1/designs/search?q=sourdough%20bakery&k=3"),
        ("projects", "/v1/projects?limit=5"),
        ("meter", "/v1/credits"),
    ] {
        let app = |public_key| -> axum::Router {
            let aws = aws(binary, public_key);
            match binary {
                "retrieve" => visions_retrieve::lambda::app(&aws).unwrap(),
                "projects" => visions_projects::lambda::app(&aws).unwrap(),
                _ => visions_meter::lambda::app(&aws).unwrap(),
            }
        };
        let (status, body) = call(&app(Some(x)), "GET", uri, &token, None).await;
        assert_eq!(status, 200, "{binary} with the public key: {body}");
        let (status, body) = call(&app(None), "GET", uri, &token, None).await;
        assert_eq!(
            status, 500,
            "{binary} without it reads the missing secret: {body}"
        );
    }
}
