"""The installed C header matches the library: a C program built against it gets the same bytes as Python."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import swift_augment as sa

PROGRAM = r"""
#include "swift_augment.h"
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    char *error = NULL;
    sa_backend *backend = NULL;
    sa_pipeline *pipeline = NULL;
    if (sa_abi_version() != SA_ABI_VERSION) return 10;
    if (sa_backend_create("cpu", NULL, &backend, &error) != SA_OK) { fprintf(stderr, "%s\n", error); return 11; }
    if (sa_pipeline_create(argv[1], &pipeline, &error) != SA_OK) { fprintf(stderr, "%s\n", error); return 12; }
    sa_image_desc input = {SA_DTYPE_UINT8, SA_LAYOUT_NHWC, 3, 16, 14, 3}, output;
    if (sa_output_desc(pipeline, &input, &output, &error) != SA_OK) return 13;
    static unsigned char pixels[3 * 16 * 14 * 3];
    for (int i = 0; i < (int)sizeof pixels; i++) pixels[i] = (unsigned char)(i * 7 + 3);
    int64_t values = output.count * output.height * output.width * output.channels;
    float *result = malloc(values * sizeof(float));
    int64_t ids[3] = {2, 0, 1};
    float mixed[3 * 4];
    sa_labels labels = {SA_LABELS_CLASS_IDS, 3, 4, ids, sizeof ids};
    uint64_t indices[3] = {5, 9, 2};
    sa_apply_options options = {11, 4, 0, NULL, 0, indices, 3};
    int status = sa_apply(backend, pipeline, &input, pixels, sizeof pixels, &labels, &options,
                          result, values * (int64_t)sizeof(float), mixed, sizeof mixed, NULL, &error);
    if (status != SA_OK) { fprintf(stderr, "%d %s\n", status, error); return 14; }
    status = sa_apply(backend, pipeline, &input, pixels, 5, NULL, NULL, result, 0, NULL, 0, NULL, &error);
    if (status != SA_ERROR_INVALID_ARGUMENT || error == NULL) return 15;
    sa_string_free(error);
    fwrite(result, sizeof(float), values, stdout);
    fwrite(mixed, sizeof(float), 12, stdout);
    sa_pipeline_free(pipeline);
    sa_backend_free(backend);
    free(result);
    return 0;
}
"""

OPS = '{"ops": [{"op": "random_crop", "height": 12, "width": 10}, {"op": "random_horizontal_flip", "p": 0.5}]}'


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_a_c_program_gets_the_same_bytes(tmp_path):
    library = sa.library_path()
    header = Path(sa.__file__).parent / "swift_augment.h"
    if not header.is_file():  # running from the source tree
        header = Path(__file__).resolve().parents[2] / "Sources" / "CSwiftAugment" / "include" / "swift_augment.h"
    (tmp_path / "main.c").write_text(PROGRAM)
    subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I", str(header.parent), str(tmp_path / "main.c"),
                    str(library), f"-Wl,-rpath,{library.parent}", "-o", str(tmp_path / "main")], check=True)
    done = subprocess.run([str(tmp_path / "main"), OPS], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    pixels = ((np.arange(3 * 16 * 14 * 3) * 7 + 3) % 256).astype(np.uint8).reshape(3, 16, 14, 3)
    images, labels = sa.Backend("cpu").apply(sa.Pipeline(OPS), pixels, np.array([2, 0, 1]), seed=11, epoch=4,
                                             sample_indices=[5, 9, 2], num_classes=4)
    assert done.stdout == images.tobytes() + labels.tobytes()
