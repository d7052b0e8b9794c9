// Reference subsampling (spec section 2): two 3x3 stride-2 convolutions over (mel, time), padding 1 on
// the mel axis and 2 causal frames on the time axis, each followed by ReLU, then a linear layer.
#include "../frontend_tables.hpp"
#include "reference.hpp"

namespace rwkvt::ref {

namespace {

// One conv layer. in[c][mel][time] with zeros outside; returns relu(conv) with out_time frames,
// output frame t reading input frames 2t-2 .. 2t.
std::vector<Mat> conv_relu(const std::vector<Mat>& in, const Tensor& weight, const Tensor& bias, int out_time) {
    const int out_ch = static_cast<int>(weight.shape[0]), in_ch = static_cast<int>(weight.shape[1]);
    const int in_mel = static_cast<int>(in[0].rows()), in_time = static_cast<int>(in[0].cols());
    const int out_mel = (in_mel - 1) / 2 + 1;
    std::vector<Mat> out(out_ch, Mat::Zero(out_mel, out_time));
    for (int co = 0; co < out_ch; ++co)
        for (int m = 0; m < out_mel; ++m)
            for (int t = 0; t < out_time; ++t) {
                float acc = bias.data[co];
                for (int ci = 0; ci < in_ch; ++ci)
                    for (int km = 0; km < 3; ++km)
                        for (int kt = 0; kt < 3; ++kt) {
                            const int mel = 2 * m - 1 + km, time = 2 * t - 2 + kt;
                            if (mel < 0 || mel >= in_mel || time < 0 || time >= in_time) continue;
                            acc += weight.data[((co * in_ch + ci) * 3 + km) * 3 + kt] * in[ci](mel, time);
                        }
                out[co](m, t) = acc > 0.0f ? acc : 0.0f;
            }
    return out;
}

}  // namespace

Mat subsample(const Model& model, const Mat& features) {
    const ModelConfig& c = model.config;
    const int frames = static_cast<int>(features.rows());
    const int conv1_frames = (frames + 1) / 2, out_frames = encoder_frame_count(frames);
    if (out_frames == 0) return Mat(0, c.width);
    const std::vector<Mat> image = {features.transpose()};  // [mel][time]
    const auto h1 = conv_relu(image, model.weights.at("encoder.subsample.conv1.weight"),
                              model.weights.at("encoder.subsample.conv1.bias"), conv1_frames);
    const auto h2 = conv_relu(h1, model.weights.at("encoder.subsample.conv2.weight"),
                              model.weights.at("encoder.subsample.conv2.bias"), out_frames);
    const Tensor& w = model.weights.at("encoder.subsample.out.weight");
    const Tensor& b = model.weights.at("encoder.subsample.out.bias");
    const int mels = c.mels_after_conv2(), flat = c.subsample_flat();
    Mat out(out_frames, c.width);
    for (int t = 0; t < out_frames; ++t)
        for (int o = 0; o < c.width; ++o) {
            float acc = b.data[o];
            for (int ch = 0; ch < c.subsample_channels; ++ch)
                for (int m = 0; m < mels; ++m) acc += w.data[static_cast<size_t>(o) * flat + ch * mels + m] * h2[ch](m, t);
            out(t, o) = acc;
        }
    return out;
}

}  // namespace rwkvt::ref
