#include "quench/sink/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace quench {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("quench_atomic_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AtomicFileTest, CommitReplacesTheTarget) {
  auto path = (dir_ / "hosts.jsonl").string();
  ASSERT_TRUE(WriteFileAtomically(path, "old\n"));
  auto w = AtomicFileWriter::Create(path);
  ASSERT_TRUE(w);
  (*w)->Write("new\n");
  EXPECT_EQ(ReadAll(path), "old\n");  // not visible before commit
  ASSERT_TRUE((*w)->Commit());
  EXPECT_EQ(ReadAll(path), "new\n");
}

TEST_F(AtomicFileTest, AbandonedWriteLeavesOldFileAndNoTemporary) {
  auto path = (dir_ / "findings.jsonl").string();
  ASSERT_TRUE(WriteFileAtomically(path, "old\n"));
  {
    auto w = AtomicFileWriter::Create(path);
    ASSERT_TRUE(w);
    (*w)->Write("half a line");
  }  // destroyed without Commit, as when a run is interrupted
  EXPECT_EQ(ReadAll(path), "old\n");
  size_t files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(AtomicFileTest, UnwritableDirectoryIsAnErrorNamingThePath) {
  auto path = (dir_ / "missing" / "x.json").string();
  auto w = AtomicFileWriter::Create(path);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace quench
