/*
 * swift_augment.h: the C ABI of swift-augment (libSwiftAugment.so, product "SwiftAugment").
 *
 * Everything crosses the boundary as C types: opaque handles, fixed-width integers, plain structs
 * and NUL-terminated UTF-8 strings. No Swift type and no Swift error crosses it.
 *
 * Errors: every function that can fail returns an int32_t status (SA_OK = 0 on success). When it
 * fails and `error_message` is not NULL, *error_message receives a malloc'd UTF-8 message saying
 * what was wrong (the library's own message); free it with sa_string_free. Strings returned
 * through other `char **` out-parameters are freed the same way. On failure no out-parameter
 * other than *error_message is written.
 *
 * Threads: any function may be called from any thread. A backend handle serialises the calls made
 * on it (one run at a time per handle; use one backend per thread for parallel runs). A pipeline
 * handle is immutable and may be shared by any number of threads and backends. Freeing a handle
 * while another thread still uses it is the caller's error.
 *
 * Memory: the caller owns every buffer it passes; the library copies inputs and writes outputs
 * into caller-provided memory of exactly the size sa_output_desc reports.
 */
#ifndef SWIFT_AUGMENT_H
#define SWIFT_AUGMENT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a declaration in this file changes incompatibly. */
#define SA_ABI_VERSION 2

/* Status codes. */
enum {
    SA_OK = 0,
    SA_ERROR_INVALID_ARGUMENT = 1,    /* NULL pointer, unknown enum value, wrong buffer size */
    SA_ERROR_INVALID_SHAPE = 2,       /* bad dimensions, empty batch, sizes that overflow, bad labels */
    SA_ERROR_PIPELINE = 3,            /* bad pipeline JSON, unknown op or argument, value out of range,
                                         an op that cannot apply to this input */
    SA_ERROR_BACKEND_UNAVAILABLE = 4, /* no OpenCL platform, no device matching the selector */
    SA_ERROR_PARAMETER_MISMATCH = 5,  /* replayed parameters that do not fit the pipeline or batch */
    SA_ERROR_DEVICE = 6,              /* an OpenCL call failed (message names the call and code) */
    SA_ERROR_INTERNAL = 7             /* anything else */
};

/* Element types (sa_image_desc.dtype). SA_DTYPE_FLOAT16 is an output type only. SA_DTYPE_UINT16
   holds raw values (depth in millimetres), not rescaled; colour ops refuse it. */
enum { SA_DTYPE_UINT8 = 0, SA_DTYPE_FLOAT32 = 1, SA_DTYPE_FLOAT16 = 2, SA_DTYPE_UINT16 = 3 };

/* Memory orders (sa_image_desc.layout). */
enum { SA_LAYOUT_NHWC = 0, SA_LAYOUT_NCHW = 1 };

/* Label kinds (sa_labels.kind). */
enum {
    SA_LABELS_NONE = 0,
    SA_LABELS_CLASS_IDS = 1, /* int64 class ids, `count` of them, each in [0, classes) */
    SA_LABELS_SOFT = 2       /* float32 (count, classes) row-major, finite and non-negative */
};

/* A dense image batch: `count` images of height x width x channels in `layout`. */
typedef struct sa_image_desc {
    int32_t dtype;    /* SA_DTYPE_* */
    int32_t layout;   /* SA_LAYOUT_* */
    int64_t count;    /* N >= 1 */
    int64_t height;   /* H >= 1 */
    int64_t width;    /* W >= 1 */
    int64_t channels; /* C >= 1 */
} sa_image_desc;

/* Labels that travel with a batch (mixing ops mix them); the output is always float32 (N, K). */
typedef struct sa_labels {
    int32_t kind;     /* SA_LABELS_* */
    int64_t count;    /* must equal the batch's N */
    int64_t classes;  /* K >= 1 */
    const void *data; /* int64[count] or float[count * classes] */
    int64_t bytes;    /* size of `data` in bytes: count * 8 or count * classes * 4 */
} sa_labels;

/* How one apply call draws its parameters. */
typedef struct sa_apply_options {
    uint64_t seed;           /* part of every sample's random key */
    uint64_t epoch;          /* part of every sample's random key */
    uint64_t first_index;    /* global index of the batch's first sample */
    const char *replay_json; /* NULL: sample; else a record made with `record` (swift-augment-parameters/1) */
    int32_t record;          /* nonzero: return the parameters used as JSON in *record_json */
    const uint64_t *sample_indices; /* NULL: sample i has global index first_index + i; else the
                                       global index of every sample (N of them; first_index unused),
                                       e.g. dataset indices from sa_epoch_indices */
    int64_t sample_index_count;     /* N when sample_indices is not NULL */
    int32_t output_is_scratch;      /* nonzero: output_data was made for this call and holds nothing
                                       to keep, so the library may write it as it goes (an OpenCL
                                       device that shares host memory writes it in place, no copy)
                                       and leave it partly written when the call fails; zero: it is
                                       written only once everything has succeeded */
} sa_apply_options;

/* How sa_epoch_indices shares an epoch among ranks when the dataset size is not a multiple of the
 * world size (Swift's RankShare). */
enum {
    SA_SHARE_UNEVEN = 0, /* every sample once; share sizes differ by at most one */
    SA_SHARE_PAD = 1,    /* equal shares, padded with the order's first samples (DistributedSampler drop_last=False) */
    SA_SHARE_DROP = 2    /* equal shares, the tail dropped (DistributedSampler drop_last=True) */
};

typedef struct sa_backend sa_backend;   /* a CPU or OpenCL backend */
typedef struct sa_pipeline sa_pipeline; /* a parsed pipeline file */

/* SA_ABI_VERSION of the library actually loaded. */
int32_t sa_abi_version(void);

/* Frees a string the library returned. NULL is allowed. */
void sa_string_free(char *string);

/* The OpenCL devices as a JSON array of objects (index, platform, device, name, vendor, kind,
 * platform_name, version, driver_version, compute_units, global_memory_bytes, default).
 * An empty array when no OpenCL platform is installed. */
int32_t sa_devices_json(char **json, char **error_message);

/* A backend. kind: "cpu" or "opencl". device (OpenCL only, may be NULL): a selector as in
 * `augment devices`: "0", "1:0", "gpu", "cpu" or part of a name; NULL means AUGMENT_OPENCL_DEVICE,
 * else the first GPU, else the CPU device. */
int32_t sa_backend_create(const char *kind, const char *device, sa_backend **backend, char **error_message);

/* A short name, e.g. "cpu" or "opencl: pthread-... (Portable Computing Language)". */
int32_t sa_backend_name(const sa_backend *backend, char **name, char **error_message);

void sa_backend_free(sa_backend *backend);

/* A pipeline from pipeline-file JSON text ({"seed": 7, "output": {...}, "ops": [...]}; see
 * docs/pipelines.md). */
int32_t sa_pipeline_create(const char *json, sa_pipeline **pipeline, char **error_message);

/* {"seed": 7 or null, "ops": number of ops, "op_names": [...], "output": {"dtype": ..., "layout": ...}} */
int32_t sa_pipeline_info_json(const sa_pipeline *pipeline, char **json, char **error_message);

void sa_pipeline_free(sa_pipeline *pipeline);

/* The pipeline-file JSON of a built-in pipeline of `augment bench` (imagenet, affine, blur,
 * crop_flip_normalize, mixup_cutmix, specaugment, ...), in its training form. */
int32_t sa_builtin_pipeline_json(const char *name, char **json, char **error_message);

/* The dataset indices rank `rank` of `world_size` visits in epoch `epoch`, in order (Swift's
 * EpochPlan): every rank computes the same permutation of 0..<dataset_size from (seed, epoch) when
 * `shuffle` is nonzero and takes every world_size-th position starting at rank. `indices` must hold
 * at least max(dataset_size, world_size) values (`capacity`); *count receives how many were written. */
int32_t sa_epoch_indices(int64_t dataset_size, uint64_t seed, uint64_t epoch, int32_t shuffle,
                         int64_t rank, int64_t world_size, int32_t share,
                         int64_t *indices, int64_t capacity, int64_t *count, char **error_message);

/* The output of `pipeline` for an input described by `input`: shape, element type and layout. */
int32_t sa_output_desc(const sa_pipeline *pipeline, const sa_image_desc *input, sa_image_desc *output,
                       char **error_message);

/* Applies `pipeline` to a dense batch on `backend`, writing the images into `output_data`
 * (exactly the bytes sa_output_desc implies) and, when `labels` is not NULL and not
 * SA_LABELS_NONE, the float32 (N, K) labels into `output_labels` (exactly N * K * 4 bytes).
 * `options` may be NULL (seed 0, epoch 0, first index 0, no replay, no record). With
 * options->record set, *record_json receives the parameters used (free with sa_string_free).
 * The result equals `augment apply --seed S --epoch E --first-sample-index I` on the same input
 * (with sample_indices: Pipeline.sample(geometry:seed:epoch:sampleIndices:) + run). */
int32_t sa_apply(sa_backend *backend, const sa_pipeline *pipeline,
                 const sa_image_desc *input, const void *input_data, int64_t input_bytes,
                 const sa_labels *labels, const sa_apply_options *options,
                 void *output_data, int64_t output_bytes,
                 float *output_labels, int64_t output_label_bytes,
                 char **record_json, char **error_message);

#ifdef __cplusplus
}
#endif

#endif /* SWIFT_AUGMENT_H */
