//! What `image` does: overlay, merge, composite and blend image files, with
//! resizing, filters and PNG/JPEG/WebP output. Files come through the host; pixels are processed
//! off the scheduler (`offload`).

// The pixels, decoded, composed and encoded off the scheduler.
mod render;

use atomiton_core::json;
use atomiton_core::value::{Bytes, Value};

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::FileSystem;
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::sdk::effect_error;
use atomiton_core::nodes::sdk::schemas::IMAGE as SCHEMA;
use atomiton_core::nodes::sdk::{array_input, get_input, node_error, Config};
use atomiton_core::nodes::{Invocation, NodeResult};

const TYPE: &str = "image";

pub(crate) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let Some(files) = host.files() else {
            return Err(ExecutionError::new(ErrorCode::IMPLEMENTATION_NOT_FOUND, format!("[{TYPE}] Image processing needs a file system, which this environment does not provide")));
        };
        let operation = config.str("operation").unwrap_or("overlay").to_owned();
        let images: Vec<ImageRef> = match get_input(&invocation, &config, "images") {
            Some(value) => match array_input(value, config.str("dataPath")) {
                Some(items) => items.iter().filter_map(image_ref).collect(),
                None => image_ref(value).into_iter().collect(),
            },
            None => Vec::new(),
        };
        let base = invocation.input_value("baseImage").and_then(image_ref);
        let overlay = invocation.input_value("overlayImage").and_then(image_ref);
        let (source, layers): (ImageRef, Vec<ImageRef>) = match operation.as_str() {
            "overlay" => {
                // Without explicit inputs, the first two of `images` serve as base and overlay.
                let base = base.or_else(|| images.first().cloned());
                let overlay = overlay.or_else(|| images.get(1).cloned());
                match (base, overlay) {
                    (Some(base), Some(overlay)) => (base, vec![overlay]),
                    _ => {
                        return Err(node_error(
                            TYPE,
                            "Overlay operation requires both baseImage and overlayImage",
                        ))
                    }
                }
            }
            "merge" => {
                if images.len() < 2 {
                    return Err(node_error(
                        TYPE,
                        "Merge operation requires at least 2 images in the images array",
                    ));
                }
                (images[0].clone(), images[1..].to_vec())
            }
            _ => match base.or_else(|| images.first().cloned()) {
                Some(source) => (source, Vec::new()),
                None => return Err(node_error(TYPE, "No valid image inputs provided")),
            },
        };
        let missing = |image: &ImageRef, role: &str| {
            node_error(TYPE, format!("{role} file not found: {}", image.describe()))
        };
        let source_role = match operation.as_str() {
            "overlay" => "Base image",
            "merge" => "Image",
            _ => "Source image",
        };
        let source_bytes =
            read(files, &source).await?.ok_or_else(|| missing(&source, source_role))?;
        let mut layer_bytes = Vec::with_capacity(layers.len());
        for layer in &layers {
            layer_bytes.push(read(files, layer).await?.ok_or_else(|| missing(layer, "Image"))?);
        }
        let format = config.str("format").unwrap_or("png").to_owned();
        let output_path = match config.str("output").filter(|o| !o.is_empty()) {
            Some(path) => path.to_owned(),
            None => {
                let stamp = host.now() as u64;
                let suffix = (host.random() * 1e9) as u64;
                format!(
                    "{}/image-{stamp}-{suffix:x}.{format}",
                    files.temp_dir().trim_end_matches('/')
                )
            }
        };
        let options = render::options(&config, &format);
        let output = render::run(&host, source_bytes, layer_bytes, options).await?;
        let size = output.bytes.len();
        let data = Bytes::buffer(output.bytes.clone());
        files
            .write(&output_path, output.bytes, true)
            .await
            .map_err(|e| effect_error(TYPE, format!("Failed to create output image: {e}"), &e))?;
        Ok(Some(json!({
            "result": output_path,
            "imagePath": output_path,
            "width": config.get("width").cloned().unwrap_or(json!(output.width)),
            "height": config.get("height").cloned().unwrap_or(json!(output.height)),
            "format": format,
            "size": size,
            "success": true,
            // The encoded image itself, as a Buffer, for nodes that work on data rather than files.
            "data": data,
        })))
    })
}

/// Where an image comes from: a file, or the encoded bytes themselves.
#[derive(Clone)]
enum ImageRef {
    Path(String),
    Bytes(Bytes),
}

impl ImageRef {
    fn describe(&self) -> String {
        match self {
            ImageRef::Path(path) => path.clone(),
            ImageRef::Bytes(bytes) => format!("<{} bytes of image data>", bytes.len()),
        }
    }
}

/// An image reference: a path string, `{path}`, another image node's output (`{imagePath}` /
/// `{result: path}`), so image nodes chain, or binary data (a `Buffer` of PNG, JPEG or WebP).
fn image_ref(value: &Value) -> Option<ImageRef> {
    if let Some(bytes) = value.as_bytes() {
        return Some(ImageRef::Bytes(bytes.clone()));
    }
    match value {
        Value::String(path) if !path.is_empty() => Some(ImageRef::Path(path.to_string())),
        Value::Object(map) => ["path", "imagePath", "result"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_str).filter(|p| !p.is_empty()))
            .map(|path| ImageRef::Path(path.to_owned())),
        _ => None,
    }
}

/// The image's bytes, or `None` when its file does not exist.
async fn read(files: &dyn FileSystem, image: &ImageRef) -> Result<Option<Vec<u8>>, ExecutionError> {
    let path = match image {
        ImageRef::Bytes(bytes) => return Ok(Some(bytes.as_slice().to_vec())),
        ImageRef::Path(path) => path,
    };
    match files.stat(path).await {
        Ok(Some(meta)) if meta.is_file => {
            files.read(path).await.map(Some).map_err(|e| effect_error(TYPE, &e, &e))
        }
        Ok(_) => Ok(None),
        Err(e) => Err(effect_error(TYPE, &e, &e)),
    }
}
