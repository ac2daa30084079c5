// SPDX-License-Identifier: MIT
#include "apps/vision/image_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "kaya/data/transforms.h"
#include "kaya/io/idx.h"
#include "kaya/io/image.h"
#include "kaya/ops/ops.h"

namespace kaya::vision {

namespace {

namespace fs = std::filesystem;

std::string thousands(int64_t n) {
    std::string digits = std::to_string(n), s;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
        s.push_back(digits[i]);
    }
    return s;
}

Tensor first_rows(const Tensor& t, int64_t limit) {
    return limit > 0 && limit < t.shape()[0] ? contiguous(narrow(t, 0, 0, limit)) : t;
}

struct Images {
    Tensor x, y;  // (N, C, H, W) float in [0, 1], (N) int64
};

Images read_idx_pair(const std::string& dir, const std::string& stem, int64_t limit) {
    Tensor x = io::load_idx(dir + "/" + stem + "-images-idx3-ubyte.gz", DType::Float32);
    Tensor y = io::load_idx(dir + "/" + stem + "-labels-idx1-ubyte.gz", DType::Int64);
    KAYA_CHECK(x.dim() == 3 && y.dim() == 1 && x.shape()[0] == y.shape()[0], ParseError, dir, "/",
               stem, ": expected images (N, H, W) and N labels, got ", describe(x), " and ", describe(y));
    x = div(unsqueeze(x, 1), 255.0);
    return {first_rows(x, limit), first_rows(y, limit)};
}

bool is_image_file(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".pnm", ".ppm", ".pgm"})
        if (ext == e) return true;
    return false;
}

// One folder per class (sorted names); `classes` empty: found here, else the test folder must
// use the training classes' names.
Images read_folder(const std::string& root, std::vector<std::string>& classes, ImageShape& shape,
                   int64_t limit) {
    KAYA_CHECK(fs::is_directory(root), IoError, root, ": not a directory (data.source = 'folder' "
               "expects one sub-folder of images per class)");
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_directory()) found.push_back(e.path().filename().string());
    std::sort(found.begin(), found.end());
    KAYA_CHECK(!found.empty(), IoError, root, ": no class folders (expected one sub-folder per class)");
    if (classes.empty()) classes = found;
    std::vector<Tensor> images;
    std::vector<int64_t> labels;
    for (const auto& name : found) {
        auto at = std::find(classes.begin(), classes.end(), name);
        KAYA_CHECK(at != classes.end(), ValueError, root, "/", name,
                   ": a class the training images do not have");
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(fs::path(root) / name))
            if (e.is_regular_file() && is_image_file(e.path())) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            Tensor img = io::read_image(f.string(), static_cast<int>(shape.channels));
            if (shape.height == 0) shape.height = img.shape()[1], shape.width = img.shape()[2];
            images.push_back(data::resize(img, shape.height, shape.width));
            labels.push_back(at - classes.begin());
        }
    }
    KAYA_CHECK(!images.empty(), IoError, root, ": no image files in the class folders");
    Tensor x = stack(images, 0);
    Tensor y = from_vector<int64_t>(labels, {static_cast<int64_t>(labels.size())});
    if (limit > 0 && limit < x.shape()[0]) {
        // The first N of a shuffled order: a quick run still sees every class.
        Generator g(0);
        Tensor keep = narrow(randperm(x.shape()[0], &g), 0, 0, limit);
        return {contiguous(index_select(x, 0, keep)), contiguous(index_select(y, 0, keep))};
    }
    return {x, y};
}

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                   "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                   "Bag",         "Ankle boot"};
    return names;
}

ImageDataOptions ImageDataOptions::read(const app::Config& cfg) {
    ImageDataOptions o;
    o.source = cfg.get_choice("data.source", o.source, {"fashion_mnist", "folder"});
    if (o.source == "fashion_mnist") {
        o.dir = cfg.get_string("data.dir", o.dir);
    } else {
        o.train = cfg.require_string("data.train");
        o.test = cfg.get_string("data.test", o.test);
        o.channels = cfg.get_choice("data.channels", "3", {"1", "3"}) == "1" ? 1 : 3;
        o.height = cfg.get_int("data.height", o.height, 0, 4096);
        o.width = cfg.get_int("data.width", o.width, 0, 4096);
        if ((o.height == 0) != (o.width == 0))
            cfg.fail("data.height", "set both data.height and data.width, or neither");
    }
    o.val_fraction = cfg.get_double("data.val_fraction", o.val_fraction, 0, 1);
    if (o.val_fraction <= 0 || o.val_fraction >= 1)
        cfg.fail("data.val_fraction", "data.val_fraction must be between 0 and 1 (exclusive): the "
                                      "run needs a validation set");
    o.seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0));
    o.limit_train = cfg.get_int("data.limit_train", o.limit_train, 0);
    o.limit_test = cfg.get_int("data.limit_test", o.limit_test, 0);
    return o;
}

ImageData load_image_data(const ImageDataOptions& o) {
    ImageData d;
    Images all, test;
    std::string where;
    if (o.source == "fashion_mnist") {
        all = read_idx_pair(o.dir, "train", o.limit_train);
        test = read_idx_pair(o.dir, "t10k", o.limit_test);
        d.classes = fashion_mnist_classes();
        d.shape = {1, all.x.shape()[2], all.x.shape()[3]};
        const int64_t top = std::max(max(all.y).item<int64_t>(), max(test.y).item<int64_t>());
        KAYA_CHECK(top < 10 && min(all.y).item<int64_t>() >= 0, ParseError, o.dir,
                   ": labels must be 0-9 (Fashion-MNIST's ten classes), found ", top);
        where = o.dir + ": Fashion-MNIST";
    } else {
        d.shape = {o.channels, o.height, o.width};
        all = read_folder(o.train, d.classes, d.shape, o.limit_train);
        if (!o.test.empty()) test = read_folder(o.test, d.classes, d.shape, o.limit_test);
        where = o.train + ": " + std::to_string(d.classes.size()) + " classes";
    }
    const int64_t n = all.x.shape()[0];
    Generator g(o.seed);
    auto perm = to_vector<int64_t>(randperm(n, &g));
    const auto nval = static_cast<int64_t>(std::round(o.val_fraction * static_cast<double>(n)));
    KAYA_CHECK(nval > 0 && nval < n, ValueError, where, " has ", n, " training images: data.val_fraction ",
               o.val_fraction, " leaves ", n - nval, " for training and ", nval,
               " for validation; both need at least one");
    auto rows = [](const Tensor& t, const std::vector<int64_t>& idx) {
        return contiguous(index_select(t, 0, from_vector<int64_t>(idx, {static_cast<int64_t>(idx.size())})));
    };
    std::vector<int64_t> va(perm.begin(), perm.begin() + nval), tr(perm.begin() + nval, perm.end());
    Tensor xtr = rows(all.x, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, rows(all.y, tr)});
    d.val = std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(all.x, va), rows(all.y, va)});
    if (test.x.defined())
        d.test = std::make_shared<data::TensorDataset>(std::vector<Tensor>{test.x, test.y});
    auto m = to_vector<double>(mean(xtr, {0, 2, 3})), s = to_vector<double>(kaya::std(xtr, {0, 2, 3}));
    for (auto& v : s) v = v > 0 ? v : 1.0;
    d.mean = m;
    const int64_t H = d.shape.height, W = d.shape.width;
    d.background = (sum(narrow(xtr, 2, 0, 1)).item<double>() + sum(narrow(xtr, 2, H - 1, 1)).item<double>() +
                    sum(narrow(xtr, 3, 0, 1)).item<double>() + sum(narrow(xtr, 3, W - 1, 1)).item<double>()) /
                   static_cast<double>(xtr.shape()[0] * d.shape.channels * 2 * (H + W));
    d.std = s;
    d.description = where + ", " + thousands(static_cast<int64_t>(tr.size())) + " train / " +
                    thousands(nval) + " validation (of the training images) / " +
                    (test.x.defined() ? thousands(test.x.shape()[0]) : std::string("no")) + " test images (" +
                    std::to_string(d.shape.channels) + "x" + std::to_string(d.shape.height) + "x" +
                    std::to_string(d.shape.width) + ", " + std::to_string(d.classes.size()) + " classes)";
    return d;
}

Tensor load_image_as(const std::string& path, const ImageShape& shape) {
    Tensor img = io::read_image(path, static_cast<int>(shape.channels));
    return data::resize(img, shape.height, shape.width);
}

}  // namespace kaya::vision
