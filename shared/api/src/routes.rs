//! A function's routes, declared once ([`api_routes!`](crate::api_routes)) and built two ways:
//! with their OpenAPI operations for the API's document, and without them for serving.
//! Building the operations (every parameter, body and answer's schema) took about 0.6 ms of a
//! cold start, and a function that serves requests never reads them.

/// Declares a function's handlers once, for the state type before `=>`, as two functions:
///
/// - `routes()`, an `OpenApiRouter` with each handler's OpenAPI operation: what the API's
///   document (`visions-ai openapi`) is made from;
/// - `router()`, an axum `Router` with the same handlers at the same paths and methods, which
///   its `#[utoipa::path]` declares: what the functions and the local server serve.
///
/// Handlers are named as paths (`create_project`, `forms::submit_form`).
#[macro_export]
macro_rules! api_routes {
    ($state:ty => $($($segment:ident)::+),+ $(,)?) => {
        /// The routes with their OpenAPI operations, for the API's document.
        pub fn routes() -> utoipa_axum::router::OpenApiRouter<$state> {
            utoipa_axum::router::OpenApiRouter::new()
                $(.routes(utoipa_axum::routes!($($segment)::+)))+
        }

        /// The same routes without their OpenAPI operations, as they are served.
        pub fn router() -> axum::Router<$state> {
            let router = axum::Router::new();
            $(let router = $crate::__documented_route!(router, [] $($segment)::+);)+
            router
        }
    };
}

/// Adds one handler to a router at the path and methods of its `#[utoipa::path]`, which made
/// the type `__path_<handler>` beside it. The first arm takes the handler's own name; the
/// second moves one module of its path into the brackets.
#[doc(hidden)]
#[macro_export]
macro_rules! __documented_route {
    ($router:expr, [$($module:ident ::)*] $handler:ident) => {
        utoipa_axum::paste! {{
            use utoipa_axum::PathItemExt as _;
            let path = <$($module::)* [<__path_ $handler>] as utoipa::Path>::path();
            let methods = <$($module::)* [<__path_ $handler>] as utoipa::Path>::methods();
            let route = methods.iter().fold(axum::routing::MethodRouter::new(), |route, method| {
                route.on(method.to_method_filter(), $($module::)* $handler)
            });
            $router.route(&path, route)
        }}
    };
    ($router:expr, [$($module:ident ::)*] $head:ident :: $($rest:tt)+) => {
        $crate::__documented_route!($router, [$($module ::)* $head ::] $($rest)+)
    };
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use tower::ServiceExt;

    mod notes {
        #[utoipa::path(get, path = "/notes/{id}", responses((status = 200)))]
        pub async fn get_note(axum::extract::Path(id): axum::extract::Path<String>) -> String {
            format!("note {id}")
        }

        #[utoipa::path(delete, path = "/notes/{id}", responses((status = 204)))]
        pub async fn delete_note() -> axum::http::StatusCode {
            axum::http::StatusCode::NO_CONTENT
        }
    }

    #[utoipa::path(post, path = "/notes", responses((status = 201)))]
    async fn create_note(state: axum::extract::State<&'static str>) -> String {
        format!("created in {}", state.0)
    }

    crate::api_routes!(&'static str => create_note, notes::get_note, notes::delete_note);

    async fn call(method: Method, uri: &str) -> (StatusCode, String) {
        let app = router().with_state("the store");
        let response = app
            .oneshot(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn the_router_serves_each_handler_at_its_documented_path_and_method() {
        assert_eq!(
            call(Method::POST, "/notes").await,
            (StatusCode::OK, "created in the store".into())
        );
        assert_eq!(
            call(Method::GET, "/notes/7").await,
            (StatusCode::OK, "note 7".into())
        );
        // Two handlers of one path, each on its own method.
        assert_eq!(
            call(Method::DELETE, "/notes/7").await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            call(Method::PUT, "/notes/7").await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            call(Method::GET, "/notes").await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            call(Method::GET, "/elsewhere").await.0,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn the_document_has_every_handler_of_the_router() {
        let document = routes().into_openapi();
        let notes = &document.paths.paths["/notes/{id}"];
        assert!(notes.get.is_some() && notes.delete.is_some() && notes.put.is_none());
        assert!(document.paths.paths["/notes"].post.is_some());
        assert_eq!(document.paths.paths.len(), 2);
    }
}
