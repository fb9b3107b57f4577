// Every example of pyATS's pcall documentation (seed 002), in C++, with the documented
// results, in each context (fork, spawn, inline).
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/process/pcall.h"
#include "core/process/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

MPTEST_KEYWORD(a, int);
MPTEST_KEYWORD(b, int);
MPTEST_KEYWORD(c, int);
MPTEST_KEYWORD(x, int);
MPTEST_KEYWORD(y, int);
MPTEST_KEYWORD(z, int);
using AnyKw = Kwargs<a_kw, b_kw, c_kw, x_kw, y_kw, z_kw>;
using KwMap = std::map<std::string, int>;

// def add(x, y): return x + y
int Add(const Kwargs<x_kw, y_kw>& kwargs) { return kwargs[kw::x] + kwargs[kw::y]; }
MPTEST_REGISTER_TARGET(Add);

// The same add, as an existing C++ function: ByName gives its parameters names.
int PlainAdd(int x, int y) { return x + y; }
MPTEST_REGISTER_TARGET(ByName<&PlainAdd, x_kw, y_kw>);

// def func(*args, **kwargs): return (args, kwargs), at the arities the examples use.
using Echo = std::pair<std::vector<int>, KwMap>;
Echo Func4(int p1, int p2, int p3, int p4) { return {{p1, p2, p3, p4}, {}}; }
Echo FuncKw(const AnyKw& kwargs) { return {{}, kwargs.ToMap<int>()}; }
Echo Func2Kw(int p1, int p2, const AnyKw& kwargs) { return {{p1, p2}, kwargs.ToMap<int>()}; }
Echo Func5Kw(int p1, int p2, int p3, int p4, int p5, const AnyKw& kwargs) {
  return {{p1, p2, p3, p4, p5}, kwargs.ToMap<int>()};
}
MPTEST_REGISTER_TARGET(Func4);
MPTEST_REGISTER_TARGET(FuncKw);
MPTEST_REGISTER_TARGET(Func2Kw);
MPTEST_REGISTER_TARGET(Func5Kw);

// def funcN(*args, **kwargs): return dict(name='funcN', arg=args, kwargs=kwargs)
using Named3 = std::tuple<std::string, std::vector<int>, KwMap>;
template <int kId>
Named3 Multi6(int p1, int p2, int p3, int p4, int p5, int p6) {
  return {"func" + std::to_string(kId), {p1, p2, p3, p4, p5, p6}, {}};
}
template <int kId>
Named3 MultiKw(const AnyKw& kwargs) {
  return {"func" + std::to_string(kId), {}, kwargs.ToMap<int>()};
}
template <int kId>
Named3 Multi5Kw(int p1, int p2, int p3, int p4, int p5, const AnyKw& kwargs) {
  return {"func" + std::to_string(kId), {p1, p2, p3, p4, p5}, kwargs.ToMap<int>()};
}
template <int kId>
Named3 Multi2Kw(int p1, int p2, const AnyKw& kwargs) {
  return {"func" + std::to_string(kId), {p1, p2}, kwargs.ToMap<int>()};
}
MPTEST_REGISTER_TARGET(Multi6<1>);
MPTEST_REGISTER_TARGET(Multi6<2>);
MPTEST_REGISTER_TARGET(Multi6<3>);
MPTEST_REGISTER_TARGET(MultiKw<1>);
MPTEST_REGISTER_TARGET(MultiKw<2>);
MPTEST_REGISTER_TARGET(MultiKw<3>);
MPTEST_REGISTER_TARGET(Multi5Kw<1>);
MPTEST_REGISTER_TARGET(Multi5Kw<2>);
MPTEST_REGISTER_TARGET(Multi2Kw<1>);
MPTEST_REGISTER_TARGET(Multi2Kw<2>);
MPTEST_REGISTER_TARGET(Multi2Kw<3>);

class SeedTest : public ::testing::TestWithParam<Context> {
 protected:
  PcallOptions Options() const {
    PcallOptions options;
    options.context = GetParam();
    options.timeout = absl::Seconds(30);
    return options;
  }
  void TearDown() override {
    EXPECT_TRUE(testing::ChildPids().empty()) << "a child or zombie was left behind";
  }
};

template <typename T>
std::vector<T> Ok(absl::StatusOr<std::vector<T>> results) {
  EXPECT_TRUE(results.ok()) << results.status();
  return results.ok() ? *results : std::vector<T>();
}

TEST_P(SeedTest, SimpleParallelCall) {
  // result = pcall(add, kw::x = (1, 2, 3), kw::y = (4, 5, 6))  ->  (5, 7, 9)
  EXPECT_EQ(Ok(pcall(Add, kw::x = Each{1, 2, 3}, kw::y = Each{4, 5, 6}, Options())),
            (std::vector<int>{5, 7, 9}));
}

TEST_P(SeedTest, SimpleParallelCallOfAnOrdinaryFunction) {
  // def add(x, y): ...; pcall(add, x = (1, 2, 3), y = (4, 5, 6)), with C++'s int Add(int, int)
  EXPECT_EQ(Ok(pcall(ByName<&PlainAdd, x_kw, y_kw>, kw::x = Each{1, 2, 3}, kw::y = Each{4, 5, 6},
                     Options())),
            (std::vector<int>{5, 7, 9}));
}

TEST_P(SeedTest, SingleKeywordValuesMakeOneCall) {
  // pcall(add, x = 1, y = 2): single values are common to every call; there is one call
  EXPECT_EQ(Ok(pcall(Add, kw::x = 1, kw::y = 2, Options())), (std::vector<int>{3}));
}

TEST_P(SeedTest, CommonKeywordArgument) {
  // pcall(func, a = 1, x = (1, 2)): a top-level single value goes to every call
  EXPECT_EQ(Ok(pcall(FuncKw, kw::a = 1, kw::x = Each{1, 2}, Options())),
            (std::vector<Echo>{{{}, {{"a", 1}, {"x", 1}}}, {{}, {{"a", 1}, {"x", 2}}}}));
}

TEST_P(SeedTest, PositionalArgumentBuilding) {
  // pcall(func, cargs = (1, 2, 3), iargs = ((4,), (5,), (6,)))
  EXPECT_EQ(Ok(pcall(Func4, cargs(1, 2, 3), iargs(args(4), args(5), args(6)), Options())),
            (std::vector<Echo>{{{1, 2, 3, 4}, {}}, {{1, 2, 3, 5}, {}}, {{1, 2, 3, 6}, {}}}));
}

TEST_P(SeedTest, KeywordArgumentBuilding) {
  // pcall(func, ckwargs = {'a': 1, 'b': 2}, ikwargs = [{'c': 3}, {'c': 4}, {'c': 5}])
  EXPECT_EQ(Ok(pcall(FuncKw, ckwargs(kw::a = 1, kw::b = 2),
                     ikwargs(kwargs(kw::c = 3), kwargs(kw::c = 4), kwargs(kw::c = 5)), Options())),
            (std::vector<Echo>{{{}, {{"a", 1}, {"b", 2}, {"c", 3}}},
                               {{}, {{"a", 1}, {"b", 2}, {"c", 4}}},
                               {{}, {{"a", 1}, {"b", 2}, {"c", 5}}}}));
}

TEST_P(SeedTest, VariableKeywordArgumentBuilding) {
  // pcall(func, kw::x = (1, 2, 3), kw::y = (4, 5, 6), kw::z = (7, 8, 9))
  EXPECT_EQ(Ok(pcall(FuncKw, kw::x = Each{1, 2, 3}, kw::y = Each{4, 5, 6}, kw::z = Each{7, 8, 9},
                     Options())),
            (std::vector<Echo>{{{}, {{"x", 1}, {"y", 4}, {"z", 7}}},
                               {{}, {{"x", 2}, {"y", 5}, {"z", 8}}},
                               {{}, {{"x", 3}, {"y", 6}, {"z", 9}}}}));
}

TEST_P(SeedTest, ComboIsAlwaysFun) {
  // pcall(func, cargs = (1, 2, 3), iargs = ((6, 7), (8, 9)), ckwargs = {'a': 1, 'b': 2},
  //       ikwargs = ({'c': 3}, {'c': 4}), kw::x = (10, 20), kw::y = (100, 200))
  EXPECT_EQ(Ok(pcall(Func5Kw, cargs(1, 2, 3), iargs(args(6, 7), args(8, 9)),
                     ckwargs(kw::a = 1, kw::b = 2), ikwargs(kwargs(kw::c = 3), kwargs(kw::c = 4)),
                     kw::x = Each{10, 20}, kw::y = Each{100, 200}, Options())),
            (std::vector<Echo>{
                {{1, 2, 3, 6, 7}, {{"a", 1}, {"b", 2}, {"c", 3}, {"x", 10}, {"y", 100}}},
                {{1, 2, 3, 8, 9}, {{"a", 1}, {"b", 2}, {"c", 4}, {"x", 20}, {"y", 200}}}}));
}

TEST_P(SeedTest, IargsAndIkwargsZipToTheShortest) {
  // pcall(func, iargs = ((1, 2), (3, 4), (5, 6)), ikwargs = ({'a': 1}, {'a': 2}))
  EXPECT_EQ(Ok(pcall(Func2Kw, iargs(args(1, 2), args(3, 4), args(5, 6)),
                     ikwargs(kwargs(kw::a = 1), kwargs(kw::a = 2)), Options())),
            (std::vector<Echo>{{{1, 2}, {{"a", 1}}}, {{3, 4}, {{"a", 2}}}}));
}

TEST_P(SeedTest, MultipleTargetsPositional) {
  // pcall([func1, func2, func3], cargs = [1, 2, 3],
  //       iargs = [[4, 5, 6], [7, 8, 9], [9, 10, 11]])
  EXPECT_EQ(Ok(pcall(targets(&Multi6<1>, &Multi6<2>, &Multi6<3>), cargs(1, 2, 3),
                     iargs(args(4, 5, 6), args(7, 8, 9), args(9, 10, 11)), Options())),
            (std::vector<Named3>{{"func1", {1, 2, 3, 4, 5, 6}, {}},
                                 {"func2", {1, 2, 3, 7, 8, 9}, {}},
                                 {"func3", {1, 2, 3, 9, 10, 11}, {}}}));
}

TEST_P(SeedTest, MultipleTargetsKeyword) {
  // pcall([func1, func2, func3], ckwargs = {'a': 1, 'b': 2},
  //       ikwargs = [{'c': 3}, {'c': 4}, {'c': 5}])
  EXPECT_EQ(Ok(pcall(targets(&MultiKw<1>, &MultiKw<2>, &MultiKw<3>), ckwargs(kw::a = 1, kw::b = 2),
                     ikwargs(kwargs(kw::c = 3), kwargs(kw::c = 4), kwargs(kw::c = 5)), Options())),
            (std::vector<Named3>{{"func1", {}, {{"a", 1}, {"b", 2}, {"c", 3}}},
                                 {"func2", {}, {{"a", 1}, {"b", 2}, {"c", 4}}},
                                 {"func3", {}, {{"a", 1}, {"b", 2}, {"c", 5}}}}));
}

TEST_P(SeedTest, MultipleTargetsCombined) {
  // pcall([func1, func2], cargs = (1, 2, 3), iargs = ((6, 7), (8, 9)),
  //       ckwargs = {'a': 1, 'b': 2}, ikwargs = ({'c': 3}, {'c': 4}),
  //       kw::x = (10, 20), kw::y = (100, 200))
  EXPECT_EQ(
      Ok(pcall(targets(&Multi5Kw<1>, &Multi5Kw<2>), cargs(1, 2, 3), iargs(args(6, 7), args(8, 9)),
               ckwargs(kw::a = 1, kw::b = 2), ikwargs(kwargs(kw::c = 3), kwargs(kw::c = 4)),
               kw::x = Each{10, 20}, kw::y = Each{100, 200}, Options())),
      (std::vector<Named3>{
          {"func1", {1, 2, 3, 6, 7}, {{"a", 1}, {"b", 2}, {"c", 3}, {"x", 10}, {"y", 100}}},
          {"func2", {1, 2, 3, 8, 9}, {{"a", 1}, {"b", 2}, {"c", 4}, {"x", 20}, {"y", 200}}}}));
}

TEST_P(SeedTest, MultipleTargetsZipToTheShortest) {
  // pcall([func1, func2, func3], iargs = ((1, 2), (3, 4), (5, 6)),
  //       ikwargs = ({'a': 1}, {'a': 2}))  -> no child #3
  EXPECT_EQ(Ok(pcall(targets(&Multi2Kw<1>, &Multi2Kw<2>, &Multi2Kw<3>),
                     iargs(args(1, 2), args(3, 4), args(5, 6)),
                     ikwargs(kwargs(kw::a = 1), kwargs(kw::a = 2)), Options())),
            (std::vector<Named3>{{"func1", {1, 2}, {{"a", 1}}}, {"func2", {3, 4}, {{"a", 2}}}}));
}

TEST_P(SeedTest, PcallObject) {
  // p = Pcall(add, kw::x = (1, 2, 3), kw::y = (4, 5, 6)); p.start(); p.join(); p.results
  Pcall p(Add, kw::x = Each{1, 2, 3}, kw::y = Each{4, 5, 6}, Options());
  EXPECT_TRUE(p.results().empty());  // None before start/join
  ASSERT_TRUE(p.start().ok());
  EXPECT_TRUE(p.results().empty());
  if (GetParam() != Context::kInline) {
    EXPECT_EQ(p.pids().size(), 3u);
  }
  ASSERT_TRUE(p.join().ok());
  EXPECT_EQ(p.results(), (std::vector<int>{5, 7, 9}));
  EXPECT_TRUE(p.living().empty());
}

INSTANTIATE_TEST_SUITE_P(AllContexts, SeedTest,
                         ::testing::Values(Context::kFork, Context::kSpawn, Context::kInline),
                         [](const ::testing::TestParamInfo<Context>& info) {
                           return ContextName(info.param);
                         });

}  // namespace
}  // namespace mptest::process
