//! Contact-form messages in DynamoDB: `PK = FORM#{project}`, `SK = SUBMISSION#{id}`. The
//! public form endpoint knows only the project, so messages live in the project's own
//! partition; UUIDv7 ids make the sort key the order of arrival.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use uuid::Uuid;

use visions_domain::form::Submission;
use visions_domain::ports::{StoreError, SubmissionStore};

use super::{backend, item, record, s};

#[derive(Clone)]
pub struct DynamoSubmissionStore {
    client: Client,
    table: String,
}

impl DynamoSubmissionStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn form_pk(project_id: Uuid) -> AttributeValue {
    s(format!("FORM#{project_id}"))
}

#[async_trait::async_trait]
impl SubmissionStore for DynamoSubmissionStore {
    async fn add(&self, submission: &Submission) -> Result<(), StoreError> {
        let sk = s(format!("SUBMISSION#{}", submission.id));
        let item = item(form_pk(submission.project_id), sk, "submission", submission)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn list(
        &self,
        project_id: Uuid,
        limit: usize,
        before: Option<Uuid>,
    ) -> Result<Vec<Submission>, StoreError> {
        let upper = match before {
            Some(id) => format!("SUBMISSION#{id}"),
            None => "SUBMISSION#~".to_owned(),
        };
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lower AND :upper")
            .expression_attribute_values(":pk", form_pk(project_id))
            .expression_attribute_values(":lower", s("SUBMISSION#"))
            .expression_attribute_values(":upper", s(upper))
            .scan_index_forward(false)
            .limit(limit as i32 + 1)
            .send()
            .await
            .map_err(backend)?;
        let mut found = Vec::new();
        for item in output.items.unwrap_or_default() {
            let submission: Submission = record(&item)?;
            // BETWEEN is inclusive; `before` itself is not part of the page.
            if Some(submission.id) != before {
                found.push(submission);
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    async fn delete_project(&self, project_id: Uuid) -> Result<(), StoreError> {
        super::delete_all(
            &self.client,
            &self.table,
            form_pk(project_id),
            "SUBMISSION#",
            None,
        )
        .await?;
        Ok(())
    }
}
