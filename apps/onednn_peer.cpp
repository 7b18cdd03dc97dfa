// oneDNN's deconvolution_forward as a benchmark peer (see onednn_peer.hpp).
#include "onednn_peer.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

namespace ksconv::cli {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr memory::data_type kF32 = memory::data_type::f32;

dnnl::engine &cpu_engine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

// oneDNN's short layout notation, e.g. "aBcd16b": the dimensions from outermost to
// innermost (upper case when split into blocks), then the inner blocks.
std::string layout_text(const memory::desc &md) {
    const dnnl_memory_desc_t &d = md.data;
    if (d.format_kind != dnnl_blocked) return "opaque";
    const dnnl_blocking_desc_t &blocking = d.format_desc.blocking;
    std::vector<int> order(static_cast<std::size_t>(d.ndims));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return blocking.strides[a] > blocking.strides[b]; });
    std::string text;
    for (int dim : order) {
        bool blocked = false;
        for (int i = 0; i < blocking.inner_nblks; ++i) blocked = blocked || blocking.inner_idxs[i] == dim;
        text += char((blocked ? 'A' : 'a') + dim);
    }
    for (int i = 0; i < blocking.inner_nblks; ++i) {
        text += std::to_string(blocking.inner_blks[i]) + char('a' + blocking.inner_idxs[i]);
    }
    return text;
}

// The layer in oneDNN's terms.
struct Problem {
    memory::dims src, weights, dst, strides, dilates, pad_l, pad_r;
    Tag weights_tag;  // ksconv's Cin x Cout/groups x KH x KW seen through oneDNN's logical dims
};

// oneDNN has no output padding: it takes the output size from the dst dims and requires
// (dst - kernel_extent + pad_l + pad_r) / stride + 1 == src. Extending the output by
// output_padding is the same as reducing the right (bottom) padding by it, which oneDNN
// accepts while pad_r > -stride.
int64_t end_padding(const char *axis, int64_t pad_end, int64_t output_padding, int64_t stride) {
    const int64_t pad_r = pad_end - output_padding;
    if (pad_r <= -stride) {
        throw OnednnUnsupported(std::string("output_padding_") + axis + " " + std::to_string(output_padding) +
                                " cannot be expressed as oneDNN padding (end padding " + std::to_string(pad_r) +
                                " must be above -stride)");
    }
    return pad_r;
}

Problem make_problem(const BenchShape &s) {
    const ConvTransposeParams &p = s.params;
    const WeightShape &w = s.weights;
    Problem problem;
    problem.src = {s.input.n, s.input.c, s.input.h, s.input.w};
    problem.dst = {s.output.n, s.output.c, s.output.h, s.output.w};
    if (p.groups > 1) {
        // Logical g x oc/g x ic/g x kh x kw; ksconv's memory order is g, ic/g, oc/g, kh, kw.
        problem.weights = {p.groups, w.cout_per_group, w.cin / p.groups, w.kh, w.kw};
        problem.weights_tag = Tag::giohw;
    } else {
        problem.weights = {w.cout_per_group, w.cin, w.kh, w.kw};
        problem.weights_tag = Tag::iohw;
    }
    problem.strides = {p.stride_h, p.stride_w};
    problem.dilates = {p.dilation_h - 1, p.dilation_w - 1};  // oneDNN: 0 means no dilation
    problem.pad_l = {p.pad_top, p.pad_left};
    problem.pad_r = {end_padding("h", p.pad_bottom, p.output_padding_h, p.stride_h),
                     end_padding("w", p.pad_right, p.output_padding_w, p.stride_w)};
    return problem;
}

class OnednnRunner : public BenchRunner {
public:
    // plain: src and dst in the caller's NCHW; otherwise oneDNN picks every layout.
    OnednnRunner(const Problem &p, bool plain, const float *weights, const float *input, float *output)
        : plain_(plain), stream_(cpu_engine()) {
        dnnl::engine &engine = cpu_engine();
        const memory::desc src_user(p.src, kF32, Tag::nchw);
        const memory::desc weights_user(p.weights, kF32, p.weights_tag);
        const memory::desc dst_user(p.dst, kF32, Tag::nchw);
        const memory::desc any_src(p.src, kF32, Tag::any), any_dst(p.dst, kF32, Tag::any);
        const dnnl::deconvolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, plain ? src_user : any_src,
            memory::desc(p.weights, kF32, Tag::any), plain ? dst_user : any_dst, p.strides, p.dilates, p.pad_l,
            p.pad_r);
        // A user scratchpad, so the bytes counted are the bytes allocated.
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        pd_ = dnnl::deconvolution_forward::primitive_desc(desc, attr, engine);
        primitive_ = dnnl::deconvolution_forward(pd_);

        // oneDNN reads through these but its memory objects take non-const pointers.
        const memory src_in(src_user, engine, const_cast<float *>(input));
        const memory weights_in(weights_user, engine, const_cast<float *>(weights));
        dst_user_ = memory(dst_user, engine, output);
        const memory src = own_copy(src_in, pd_.src_desc());
        const memory weights_mem = own_copy(weights_in, pd_.weights_desc());
        dst_ = pd_.dst_desc() == dst_user ? dst_user_ : own(pd_.dst_desc());
        const memory scratchpad = own(pd_.scratchpad_desc());
        args_ = {{DNNL_ARG_SRC, src},
                 {DNNL_ARG_WEIGHTS, weights_mem},
                 {DNNL_ARG_DST, dst_},
                 {DNNL_ARG_SCRATCHPAD, scratchpad}};
        stream_.wait();
    }

    void run() override {
        primitive_.execute(stream_, args_);
        stream_.wait();
    }

    void checked_run() override {
        if (dst_ != dst_user_) {
            // Poison the blocked output too, so an element the primitive skips is caught.
            float *data = static_cast<float *>(dst_.get_data_handle());
            std::fill(data, data + pd_.dst_desc().get_size() / sizeof(float), NAN);
        }
        run();
        if (dst_ != dst_user_) dnnl::reorder(dst_, dst_user_).execute(stream_, dst_, dst_user_);
        stream_.wait();
    }

    int64_t extra_bytes() const override { return extra_bytes_; }
    std::string label() const override { return plain_ ? "layout nchw" : "layout any"; }

    std::string implementation() const override {
        return std::string(pd_.impl_info_str()) + " (src " + layout_text(pd_.src_desc()) + ", weights " +
               layout_text(pd_.weights_desc()) + ", dst " + layout_text(pd_.dst_desc()) + ")";
    }

private:
    // A buffer of oneDNN's own: counted as extra memory.
    memory own(const memory::desc &md) {
        extra_bytes_ += int64_t(md.get_size());
        return memory(md, cpu_engine());
    }

    // `user` itself when the primitive takes its layout, else a reordered copy (made once).
    memory own_copy(memory user, const memory::desc &wanted) {
        if (user.get_desc() == wanted) return user;
        memory copy = own(wanted);
        dnnl::reorder(user, copy).execute(stream_, user, copy);
        return copy;
    }

    bool plain_;
    dnnl::stream stream_;
    dnnl::deconvolution_forward::primitive_desc pd_;
    dnnl::deconvolution_forward primitive_;
    memory dst_, dst_user_;
    std::unordered_map<int, memory> args_;
    int64_t extra_bytes_ = 0;
};

}  // namespace

bool onednn_built() {
    return true;
}

std::string onednn_version() {
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           (v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "");
}

void onednn_set_threads(int threads) {
    omp_set_num_threads(threads);
}

std::vector<std::unique_ptr<BenchRunner>> make_onednn_runners(const BenchShape &shape, const float *weights,
                                                              const float *input, float *output,
                                                              std::vector<std::string> &notes) {
    const Problem problem = make_problem(shape);
    std::vector<std::unique_ptr<BenchRunner>> runners;
    std::string refusals;
    for (bool plain : {false, true}) {
        try {
            runners.push_back(std::make_unique<OnednnRunner>(problem, plain, weights, input, output));
        } catch (const dnnl::error &e) {
            const std::string line = std::string(plain ? "layout nchw" : "layout any") + ": " + e.what();
            notes.push_back("oneDNN refused " + line);
            refusals += (refusals.empty() ? "" : "; ") + line;
        }
    }
    if (runners.empty()) throw OnednnUnsupported("oneDNN refused the layer (" + refusals + ")");
    return runners;
}

}  // namespace ksconv::cli
