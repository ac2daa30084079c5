// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/nn/nn.h"

namespace kaya::vision {

// The [model] keys of the image classifier: stages of convolutions, each stage ending in a
// down-sampling step, then a fully connected head.
//   channels = [32, 64]   output channels of each stage
//   convs = 2             convolutions per stage (kernel x kernel, 'same' padding)
//   kernel = 3
//   pool = "max"          how a stage shrinks the feature map by 2: "max" (MaxPool2d(2)), "avg"
//                         (AvgPool2d(2)), "stride" (its last convolution has stride 2) or
//                         "none" (no shrinking: the head sees full-size maps)
//   batch_norm = true     BatchNorm2d after each convolution (which then has no bias)
//   dropout = 0.25        after each stage; head_dropout = 0.5 after each hidden head layer
//   hidden = [256]        the head's hidden sizes ([] : one linear layer)
struct CnnOptions {
    std::vector<int64_t> channels = {32, 64};
    int64_t convs = 2;
    int64_t kernel = 3;
    std::string pool = "max";
    bool batch_norm = true;
    double dropout = 0.25;
    std::vector<int64_t> hidden = {256};
    double head_dropout = 0.5;

    static CnnOptions read(const app::Config& cfg);
    // As metadata of model.safetensors ("cnn.*"), and back (ParseError naming `source`).
    std::map<std::string, std::string> metadata() const;
    static CnnOptions from_metadata(const std::map<std::string, std::string>& m, const std::string& source);
};

// The input the network was built for: channels, height, width, and the pixel statistics
// its first layer standardises with (pixels are in [0, 1] before it).
struct ImageShape {
    int64_t channels = 1, height = 28, width = 28;
};

// One row of the layer table: what a layer makes and what it costs for one image.
struct LayerCost {
    std::string name;           // "3: Conv2d(32, 64, 3x3)"
    std::vector<int64_t> shape;  // Output (C, H, W) or (F).
    int64_t parameters = 0;
    int64_t multiply_adds = 0;  // Forward pass, one image.
};

// The network as PyTorch's nn.Sequential would name it: 0 is the input standardisation
// (buffers "0.mean", "0.std", one value per channel), then the stages, Flatten and the head.
// ValueError when the input is too small for the stages.
std::shared_ptr<nn::Sequential> build_cnn(const CnnOptions& options, const ImageShape& input,
                                          int64_t classes, const std::vector<double>& mean,
                                          const std::vector<double>& std);

// Every layer's output shape, parameters and multiply-adds, from the built model.
std::vector<LayerCost> layer_costs(nn::Sequential& model, const ImageShape& input);

// Indices (in the Sequential) of the layers after which the map has shrunk (the pooling
// layers, or the strided convolutions' activations): where feature maps are worth drawing.
std::vector<size_t> downsampling_points(nn::Sequential& model, const ImageShape& input);

}  // namespace kaya::vision
