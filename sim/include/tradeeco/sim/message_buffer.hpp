#pragma once
/// Messages: agents write in one phase, other agents read in a later one.
///
/// Senders write through the executor in blocks; each block writes to its own buffer and the
/// buffers are joined in block order, so the message sequence is exactly the one a serial loop
/// would produce, whatever the thread count. Readers then look messages up by recipient.

#include <tradeeco/sim/executor.hpp>
#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace tradeeco::sim {

template <class M>
class message_buffer {
public:
    /// Runs emit(i, out) for i in [0, n); out is a std::vector<M>& to push_back messages into.
    /// Replaces the buffer's previous content.
    template <class Emit>
    void emit(executor& ex, std::size_t n, Emit&& emit, std::size_t grain = executor::default_grain) {
        if (grain == 0) grain = executor::default_grain; // blocks[] is indexed by begin / grain
        std::vector<std::vector<M>> blocks(executor::num_blocks(n, grain));
        ex.for_each_block(n, grain, [&](std::size_t begin, std::size_t end) {
            auto& out = blocks[begin / grain];
            for (std::size_t i = begin; i < end; ++i) emit(i, out);
        });
        std::size_t total = 0;
        for (const auto& b: blocks) total += b.size();
        messages_.clear();
        messages_.reserve(total);
        for (auto& b: blocks) messages_.insert(messages_.end(), b.begin(), b.end());
        offsets_.clear();
        order_.clear();
    }

    /// Appends a message from serial code.
    void push(const M& m) { messages_.push_back(m); }
    void clear() {
        messages_.clear();
        offsets_.clear();
        order_.clear();
    }

    std::span<const M> all() const noexcept { return messages_; }
    std::size_t size() const noexcept { return messages_.size(); }

    /// Groups messages by recipient (a stable counting sort, so each recipient sees its messages
    /// in emission order). recipient(m) must return an index below num_recipients.
    template <class Recipient>
    void index_by(std::size_t num_recipients, Recipient&& recipient) {
        offsets_.assign(num_recipients + 1, 0);
        for (const auto& m: messages_) ++offsets_[recipient(m) + 1];
        for (std::size_t r = 0; r < num_recipients; ++r) offsets_[r + 1] += offsets_[r];
        order_.resize(messages_.size());
        std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
        for (std::uint32_t k = 0; k < messages_.size(); ++k) order_[fill[recipient(messages_[k])]++] = k;
    }

    /// Number of messages for recipient r (after index_by).
    std::size_t count_for(std::size_t r) const {
        check_indexed(r);
        return offsets_[r + 1] - offsets_[r];
    }
    /// Calls f(message) for every message to recipient r, in emission order (after index_by).
    template <class F>
    void for_recipient(std::size_t r, F&& f) const {
        check_indexed(r);
        for (std::uint32_t k = offsets_[r]; k < offsets_[r + 1]; ++k) f(messages_[order_[k]]);
    }

    /// Puts the messages and the recipient index into `a` under `prefix` (M must be a plain
    /// struct), and reads them back.
    void save(state_archive& a, const std::string& prefix) const {
        a.put(prefix + ".messages", messages_);
        a.put(prefix + ".offsets", offsets_);
        a.put(prefix + ".order", order_);
    }
    void load(const state_archive& a, const std::string& prefix) {
        messages_ = a.get<M>(prefix + ".messages");
        offsets_ = a.get<std::uint32_t>(prefix + ".offsets");
        order_ = a.get<std::uint32_t>(prefix + ".order");
    }

private:
    void check_indexed(std::size_t r) const {
        if (r + 1 >= offsets_.size())
            throw std::logic_error("message_buffer: recipient " + std::to_string(r) +
                                   " read before index_by() or out of range");
    }
    std::vector<M> messages_;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint32_t> order_;
};

} // namespace tradeeco::sim
