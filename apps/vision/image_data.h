// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/vision/cnn.h"
#include "kaya/data/dataset.h"

namespace kaya::vision {

// The [data] keys of the image classifier.
//   source = "fashion_mnist"   the IDX files of Fashion-MNIST (or MNIST) in data.dir
//   source = "folder"          a user's pictures: data.train (and data.test) hold one folder
//                              per class (torchvision's ImageFolder); PNG, JPEG, BMP, GIF, TGA,
//                              PNM; every image is converted to data.channels (1 grey or 3
//                              RGB) and resized to data.height x data.width (0: the size of the
//                              first training image)
//   val_fraction = 0.1         held out of the training images to pick the epoch
//   seed                       the split
//   limit_train, limit_test    use only the first N images (0: all), for quick runs
struct ImageDataOptions {
    std::string source = "fashion_mnist";
    std::string dir = "/usr/share/datasets/fashion-mnist";
    std::string train, test;
    int64_t channels = 1, height = 0, width = 0;
    double val_fraction = 0.1;
    uint64_t seed = 0;
    int64_t limit_train = 0, limit_test = 0;

    static ImageDataOptions read(const app::Config& cfg);
};

// Images float32 (N, C, H, W) in [0, 1] and labels int64 (N).
struct ImageData {
    std::shared_ptr<data::TensorDataset> train, val, test;  // test may be null.
    std::vector<std::string> classes;
    ImageShape shape;
    std::vector<double> mean, std;  // Per channel, of the training split.
    double background = 0;          // Mean of the training images' outermost pixels.
    std::string description;        // One line for logs and the report.
};

ImageData load_image_data(const ImageDataOptions& options);

// Fashion-MNIST's class names, in label order.
const std::vector<std::string>& fashion_mnist_classes();

// A user's image as the network's input (C, H, W) in [0, 1]: read (any format read_image
// takes), converted to `shape.channels`, resized to the network's size.
Tensor load_image_as(const std::string& path, const ImageShape& shape);

}  // namespace kaya::vision
