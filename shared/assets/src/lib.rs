//! Images as the platform makes them. [`Studio`] turns a prompt into a [`Picture`]: the image
//! model draws it (a provider, or the offline generator [`ArtModel`]), the optimize code makes
//! its responsive WebP widths, and they are stored under content-hashed keys in the blob store,
//! where the CDN serves them. The worker fills page slots with it, the image function serves
//! `POST /v1/images` with it, and the optimize function runs its second half on uploads.

use std::sync::Arc;

use tokio::sync::Semaphore;
use uuid::Uuid;
use visions_domain::page::{Picture, PictureSource};
use visions_domain::ports::BlobStore;
use visions_imaging::{ImageError, Limits, Optimized, Options};
use visions_llm::ModelError;
use visions_llm::ModelName;
use visions_llm::images::{ImageModel, ImageRequest, ProviderImageModels};
use visions_model_config::OFFLINE_IMAGES;

/// The built-in offline generator (`local:art`): art in the brand's colours, composed from the
/// brief; no key, no network.
pub struct ArtModel;

#[async_trait::async_trait]
impl ImageModel for ArtModel {
    fn name(&self) -> &str {
        OFFLINE_IMAGES
    }

    async fn generate(&self, request: &ImageRequest) -> Result<Vec<u8>, ModelError> {
        let (width, height) = request.aspect.pixels();
        let prompt = request.prompt.clone();
        let palette = request.palette.clone();
        tokio::task::spawn_blocking(move || {
            let pixels = visions_imaging::art::paint(&prompt, &palette, width, height);
            visions_imaging::png(&pixels)
        })
        .await
        .map_err(|e| ModelError::Transport(format!("the generator stopped: {e}")))?
        .map_err(|e| ModelError::Malformed(e.to_string()))
    }
}

/// Image models by name: `local:art`, or a provider's (`openai:gpt-image-1`, `stability:core`…).
pub struct ImageModels {
    providers: ProviderImageModels,
}

impl ImageModels {
    pub fn new(providers: ProviderImageModels) -> Self {
        Self { providers }
    }

    pub fn get(&self, name: &ModelName) -> Result<Arc<dyn ImageModel>, ModelError> {
        if name.to_string() == OFFLINE_IMAGES {
            return Ok(Arc::new(ArtModel));
        }
        self.providers.get(name)
    }
}

/// Why an image was not made, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum AssetFailure {
    #[error("the image model refused the prompt: {0}")]
    Refused(String),
    #[error("the image model failed: {0}")]
    Model(String),
    #[error("{0}")]
    Image(String),
    #[error("the image could not be stored: {0}")]
    Storage(String),
}

impl From<ModelError> for AssetFailure {
    fn from(error: ModelError) -> Self {
        match error {
            ModelError::Refused(reason) => AssetFailure::Refused(reason),
            other => AssetFailure::Model(other.to_string()),
        }
    }
}

pub struct Studio {
    pub models: ImageModels,
    pub blobs: Arc<dyn BlobStore>,
    pub options: Options,
    pub limits: Limits,
    /// Decoding and encoding are CPU-bound: at most this many at once in a process.
    cpu: Semaphore,
}

impl Studio {
    pub fn new(models: ImageModels, blobs: Arc<dyn BlobStore>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            models,
            blobs,
            options: Options::default(),
            limits: Limits::default(),
            cpu: Semaphore::new(cores),
        }
    }

    /// Draws `request` with `model`, then optimizes and stores it as asset `asset_id`.
    pub async fn generate(
        &self,
        model: &ModelName,
        request: &ImageRequest,
        asset_id: Uuid,
    ) -> Result<Picture, AssetFailure> {
        let model = self.models.get(model)?;
        let bytes = model.generate(request).await?;
        self.optimize(bytes, asset_id).await.map_err(|e| match e {
            AssetFailure::Image(reason) => {
                AssetFailure::Model(format!("its answer is not a usable image: {reason}"))
            }
            other => other,
        })
    }

    /// Makes the responsive widths of an image file and stores them; the picture that
    /// results names their public URLs.
    pub async fn optimize(&self, bytes: Vec<u8>, asset_id: Uuid) -> Result<Picture, AssetFailure> {
        let optimized = self.optimize_bytes(bytes).await?;
        let mut sources = Vec::with_capacity(optimized.variants.len());
        for variant in &optimized.variants {
            let key = format!("images/{}", visions_imaging::variant_name(variant));
            self.blobs
                .put(&key, variant.webp.clone(), "image/webp")
                .await
                .map_err(|e| AssetFailure::Storage(e.to_string()))?;
            sources.push(PictureSource {
                url: self.blobs.public_url(&key),
                width: variant.width,
                height: variant.height,
                bytes: variant.bytes as u64,
            });
        }
        let widest = optimized.variants.first();
        Ok(Picture {
            asset_id: asset_id.to_string(),
            width: widest.map_or(optimized.source.width, |v| v.width),
            height: widest.map_or(optimized.source.height, |v| v.height),
            sources,
            placeholder: optimized.placeholder,
        })
    }

    async fn optimize_bytes(&self, bytes: Vec<u8>) -> Result<Optimized, AssetFailure> {
        let _permit = self
            .cpu
            .acquire()
            .await
            .map_err(|_| AssetFailure::Image("the optimizer is shutting down".into()))?;
        let options = self.options.clone();
        let limits = self.limits.clone();
        let started = std::time::Instant::now();
        let optimized = tokio::task::spawn_blocking(move || {
            visions_imaging::optimize(&bytes, &options, &limits)
        })
        .await
        .map_err(|e| AssetFailure::Image(format!("the optimizer stopped: {e}")))?
        .map_err(|e: ImageError| AssetFailure::Image(e.to_string()))?;
        tracing::info!(
            width = optimized.source.width,
            height = optimized.source.height,
            widths = optimized.variants.len(),
            ms = started.elapsed().as_millis() as u64,
            "image optimized"
        );
        Ok(optimized)
    }
}
