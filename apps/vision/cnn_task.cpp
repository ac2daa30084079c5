// SPDX-License-Identifier: MIT
#include "apps/vision/cnn_task.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "apps/train/metadata.h"
#include "apps/train/plot.h"
#include "apps/vision/pictures.h"
#include "kaya/io/file.h"
#include "kaya/io/image.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::vision {

namespace {

const std::vector<std::string> kDefaultViews = {"rot15", "rot30", "scale0.8", "scale1.2", "vflip", "hflip"};

// The dataset's images passed through `f` one by one.
std::shared_ptr<data::TensorDataset> transformed(const data::TensorDataset& ds,
                                                 const std::function<Tensor(const Tensor&)>& f) {
    const Tensor& x = ds.tensors()[0];
    std::vector<Tensor> images;
    for (int64_t i = 0; i < x.shape()[0]; ++i) images.push_back(f(select(x, 0, i)));
    return std::make_shared<data::TensorDataset>(std::vector<Tensor>{stack(images, 0), ds.tensors()[1]});
}

}  // namespace

std::vector<TestView> test_views(const std::vector<std::string>& names) {
    std::vector<TestView> out;
    for (const auto& n : names) {
        if (n == "rot15" || n == "rot30") {
            const double deg = n == "rot15" ? 15 : 30;
            out.push_back({n, "rotated " + n.substr(3) + " deg",
                           [deg](const Tensor& x) { return data::rotate(x, deg); }});
        } else if (n == "scale0.8" || n == "scale1.2") {
            const double f = n == "scale0.8" ? 0.8 : 1.2;
            out.push_back({n, "scaled x" + n.substr(5), [f](const Tensor& x) { return data::zoom(x, f); }});
        } else if (n == "vflip" || n == "hflip") {
            const int64_t dim = n == "vflip" ? 1 : 2;
            out.push_back({n, n == "vflip" ? "flipped up-down" : "flipped left-right",
                           [dim](const Tensor& x) {
                               return contiguous(index_select(x, dim, arange(x.shape()[dim] - 1, -1, -1)));
                           }});
        } else {
            throw ValueError("unknown test view '" + n +
                             "' (known: rot15, rot30, scale0.8, scale1.2, vflip, hflip)");
        }
    }
    return out;
}

CnnTask::CnnTask(const app::Config& cfg)
    : data_options_(ImageDataOptions::read(cfg)),
      model_options_(CnnOptions::read(cfg)),
      augment_options_(AugmentOptions::read(cfg)) {
    auto names = cfg.get_strings("evaluate.views", kDefaultViews);
    try {
        views_ = test_views(names);
    } catch (const ValueError& e) {
        cfg.fail("evaluate.views", e.what());
    }
}

void CnnTask::prepare(const app::TaskEnv& env) {
    data_ = load_image_data(data_options_);
    model_ = build_cnn(model_options_, data_.shape, static_cast<int64_t>(data_.classes.size()),
                       data_.mean, data_.std);
    std::shared_ptr<const data::Dataset> train = data_.train;
    if (augment_options_.any()) {
        augmented_ = std::make_shared<data::AugmentedDataset>(
            data_.train, build_augmentation(augment_options_), env.seed);
        train = augmented_;
        data_.description += "; augmented: " + augment_options_.describe();
    }
    loader_ = std::make_unique<data::DataLoader>(
        train, data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true, .seed = env.seed,
                                .shard = env.rank, .shards = env.world_size});
}

void CnnTask::visit_batches(int64_t epoch, int64_t first,
                            const std::function<bool(int64_t, const data::Example&)>& fn) {
    if (augmented_) augmented_->set_epoch(epoch);
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

Tensor CnnTask::training_loss(const data::Example& batch, app::Metrics& sums) {
    Tensor logits = (*model_)(batch[0]);
    sums.add("accuracy", static_cast<double>(sum(eq(argmax(detach(logits), 1), batch[1])).item<int64_t>()));
    return nn::cross_entropy(logits, batch[1]);
}

CnnTask::Scores CnnTask::evaluate(const data::TensorDataset& ds, const TestView* view) {
    std::shared_ptr<const data::Dataset> seen =
        view ? transformed(ds, view->apply)
             : std::shared_ptr<const data::Dataset>(&ds, [](const data::Dataset*) {});
    data::DataLoader loader(seen, {.batch_size = 500, .prefetch = false});
    const auto K = static_cast<int64_t>(data_.classes.size());
    Scores s;
    s.confusion.assign(static_cast<size_t>(K * K), 0.0);
    for (const auto& b : loader.epoch(0)) {
        Tensor logits = (*model_)(b[0]);
        s.loss += nn::cross_entropy(logits, b[1], {.reduction = nn::Reduction::Sum}).item<double>();
        auto gold = to_vector<int64_t>(b[1]);
        auto pred = to_vector<int64_t>(argmax(logits, 1));
        for (size_t i = 0; i < gold.size(); ++i) {
            s.correct += gold[i] == pred[i];
            s.confusion[static_cast<size_t>(gold[i] * K + pred[i])] += 1;
        }
        s.count += static_cast<double>(gold.size());
    }
    return s;
}

app::Metrics CnnTask::validate() {
    Scores s = evaluate(*data_.val);
    return {{"val_loss", s.loss / s.count}, {"val_accuracy", s.correct / s.count}};
}

app::Metrics CnnTask::test() {
    if (!data_.test) return {};
    test_scores_ = evaluate(*data_.test);
    app::Metrics m{{"test_loss", test_scores_.loss / test_scores_.count},
                   {"test_accuracy", test_scores_.correct / test_scores_.count}};
    for (const auto& v : views_) {
        Scores s = evaluate(*data_.test, &v);
        m.set("test_accuracy_" + v.name, s.correct / s.count);
    }
    return m;
}

std::map<std::string, std::string> CnnTask::model_metadata() const {
    auto m = model_options_.metadata();
    m["format"] = "pt";
    m["kaya.task"] = "image_classifier";
    m["image.channels"] = std::to_string(data_.shape.channels);
    m["image.height"] = std::to_string(data_.shape.height);
    m["image.width"] = std::to_string(data_.shape.width);
    m["classes"] = app::join_lines(data_.classes);
    m["image.background"] = std::to_string(data_.background);
    return m;
}

// layers.csv and augmented.png: what the network is and what it is shown.
void CnnTask::write_inputs(const std::string& dir) {
    std::ostringstream csv;
    csv << "layer,output,parameters,multiply_adds\n";
    for (const auto& l : layer_costs(*model_, data_.shape)) {
        std::string shape;
        for (size_t i = 0; i < l.shape.size(); ++i) {
            if (i) shape += "x";
            shape += std::to_string(l.shape[i]);
        }
        csv << '"' << l.name << "\"," << shape << "," << l.parameters << "," << l.multiply_adds << "\n";
    }
    io::write_file_atomic(dir + "/layers.csv", csv.str());
    // Eight training images (rows) as stored, then seven augmented draws of each.
    std::vector<Tensor> grid;
    const Tensor& x = data_.train->tensors()[0];
    data::Transform t = build_augmentation(augment_options_);
    for (int64_t i = 0; i < std::min<int64_t>(8, x.shape()[0]); ++i) {
        Tensor img = select(x, 0, i);
        grid.push_back(img);
        for (uint64_t k = 0; k < 7; ++k) {
            Generator g(Generator::mix(1000 + k + 8 * static_cast<uint64_t>(i)));
            grid.push_back(t(img, g));
        }
    }
    io::write_png(dir + "/augmented.png", tile_images(grid, 8, 3));
}

void CnnTask::finish(const std::string& dir) {
    autograd::NoGradGuard no_grad;
    model_->eval();
    if (data_.test && !test_scores_.confusion.empty()) {
        io::write_file_atomic(dir + "/confusion.svg",
                              app::heatmap_svg(test_scores_.confusion, data_.classes, data_.classes,
                                               {.title = "confusion on the test set",
                                                .xlabel = "predicted", .ylabel = "true class"}));
    }
    // One image through the network: the maps after each down-sampling step.
    const Tensor& images = (data_.test ? data_.test : data_.val)->tensors()[0];
    Tensor x = unsqueeze(select(images, 0, 0), 0);
    io::write_png(dir + "/feature_maps_input.png", tile_images({select(x, 0, 0)}, 1, 4));
    auto points = downsampling_points(*model_, data_.shape);
    size_t next = 0;
    for (size_t i = 0; i < model_->size() && next < points.size(); ++i) {
        x = (*(*model_)[i])(x);
        if (i != points[next]) continue;
        const int64_t scale = std::max<int64_t>(1, 56 / x.shape()[2]);
        io::write_png(dir + "/feature_maps_" + std::to_string(++next) + ".png",
                      tile_images(feature_map_images(select(x, 0, 0), 16), 8, scale));
    }
}

void CnnTask::write_plots(const std::string& dir, const std::vector<app::Metrics>& history) {
    app::Series train{"training (augmented, dropout on)"}, val{"validation"};
    for (const auto& m : history) {
        train.x.push_back(m.get("epoch"));
        train.y.push_back(100 * m.get("train_accuracy"));
        val.x.push_back(m.get("epoch"));
        val.y.push_back(100 * m.get("val_accuracy"));
    }
    if (!augment_options_.any()) train.name = "training (dropout on)";
    io::write_file_atomic(dir + "/accuracy.svg",
                          app::line_plot_svg({train, val}, {.title = "image classification accuracy",
                                                            .xlabel = "epoch",
                                                            .ylabel = "accuracy (%)"}));
}

ImageClassifier ImageClassifier::load(const std::string& path) {
    io::SafetensorsFile f = io::load_safetensors(path);
    auto task = f.metadata.find("kaya.task");
    KAYA_CHECK(task != f.metadata.end() && task->second == "image_classifier", ParseError, path,
               ": not the weights of an image classifier (metadata kaya.task is '",
               task == f.metadata.end() ? std::string("absent") : task->second, "')");
    ImageClassifier c;
    CnnOptions o = CnnOptions::from_metadata(f.metadata, path);
    const app::MetadataReader r(f.metadata, path, "an image classifier's weights");
    c.shape_ = {r.number<int64_t>("image.channels"), r.number<int64_t>("image.height"),
                r.number<int64_t>("image.width")};
    KAYA_CHECK((c.shape_.channels == 1 || c.shape_.channels == 3) && c.shape_.height > 0 &&
                   c.shape_.width > 0 && c.shape_.height <= 4096 && c.shape_.width <= 4096,
               ParseError, path, ": metadata gives an invalid image shape");
    c.classes_ = app::split_lines(r.text("classes"));
    KAYA_CHECK(!c.classes_.empty(), ParseError, path, ": metadata 'classes' is empty");
    if (r.has("image.background")) c.background_ = std::clamp(r.number<double>("image.background"), 0.0, 1.0);
    const std::vector<double> zero(static_cast<size_t>(c.shape_.channels), 0.0),
        one(static_cast<size_t>(c.shape_.channels), 1.0);
    try {
        c.model_ = build_cnn(o, c.shape_, static_cast<int64_t>(c.classes_.size()), zero, one);
        c.model_->load_state_dict(f.tensors);
    } catch (const ParseError&) {
        throw;
    } catch (const Error& e) {
        throw ValueError(path + ": the weights do not fit the network its metadata describes: " + e.what());
    }
    c.model_->eval();
    return c;
}

std::vector<double> ImageClassifier::probabilities(const Tensor& image) {
    KAYA_CHECK(image.dim() == 3 && image.shape()[0] == shape_.channels &&
                   image.shape()[1] == shape_.height && image.shape()[2] == shape_.width,
               ShapeError, "the network takes images (", shape_.channels, ", ", shape_.height, ", ",
               shape_.width, "), got ", describe(image));
    autograd::NoGradGuard no_grad;
    return to_vector<double>(softmax((*model_)(unsqueeze(to(image, DType::Float32), 0)), 1));
}

void register_tasks(app::TaskRegistry& registry) {
    registry.add("image_classifier",
                 [](const app::Config& cfg) { return std::make_unique<CnnTask>(cfg); },
                 "a CNN classifying images (Fashion-MNIST or folders of pictures), with augmentation");
}

}  // namespace kaya::vision
