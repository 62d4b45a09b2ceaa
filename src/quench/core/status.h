// Error, Status and Result<T>: the one error type of quench (STYLE.md "Errors").
// Expected failures (a missing file, a bad option, a broken feed line) return a Result;
// broken traffic does not: decoders return a DecodeStatus and count an anomaly instead.
// Values are plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace quench {

enum class ErrorCode : uint8_t {
  kInvalidArgument,
  kNotFound,
  kIoError,
  kParseError,
  kUnsupported,
  kResourceExhausted,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "parse_error: feed.txt:12: not an address"
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline Status OkStatus() { return {}; }

}  // namespace quench

#define QUENCH_CONCAT_INNER_(a, b) a##b
#define QUENCH_CONCAT_(a, b) QUENCH_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result or Status) from the enclosing function.
#define QUENCH_RETURN_IF_ERROR(expr)                                   \
  do {                                                                 \
    auto&& quench_status_ = (expr);                                    \
    if (!quench_status_) {                                             \
      return ::tl::unexpected<::quench::Error>(std::move(quench_status_).error()); \
    }                                                                  \
  } while (0)

// `QUENCH_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its error.
#define QUENCH_ASSIGN_OR_RETURN(lhs, expr) \
  QUENCH_ASSIGN_OR_RETURN_IMPL_(QUENCH_CONCAT_(quench_result_, __LINE__), lhs, expr)
#define QUENCH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                  \
  auto tmp = (expr);                                                   \
  if (!tmp) return ::tl::unexpected<::quench::Error>(std::move(tmp).error()); \
  lhs = std::move(*tmp)
