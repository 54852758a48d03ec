//! Flate compression of all streams, spread over the available cores.
//!
//! Compression dominates the time for long reports, and the streams are
//! independent, so they are compressed on scoped threads.

use lopdf::{Document, Object, Stream};

pub(super) fn compress_streams(doc: &mut Document) {
    let mut streams: Vec<&mut Stream> = doc
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression => Some(s),
            _ => None,
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    if threads == 1 || streams.len() < 8 {
        for s in streams {
            // A stream that fails to compress is simply written uncompressed.
            let _ = s.compress();
        }
        return;
    }
    let chunk = streams.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for part in streams.chunks_mut(chunk) {
            scope.spawn(move || {
                for s in part.iter_mut() {
                    let _ = s.compress();
                }
            });
        }
    });
}
