#include "loadgen/soak/soak_sampler.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "core/measure/sysinfo.hpp"

namespace pushbench::loadgen {

std::optional<SoakSample> sample_soak(pid_t pid) {
  const auto p = sample_process(pid);
  if (!p) return std::nullopt;
  SoakSample s;
  s.rss_bytes = p->rss_bytes;
  s.cpu_s = p->cpu_s;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++s.fds;
  }
  if (ec) return std::nullopt;
  return s;
}

SoakSampler::SoakSampler(std::vector<pid_t> pids) : pids_(std::move(pids)), series_(pids_.size()) {}

SoakSampler::~SoakSampler() {
  stop();
}

void SoakSampler::start() {
  thread_ = std::thread([this] { run(); });
}

void SoakSampler::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<SoakSample> SoakSampler::series(std::size_t i) const {
  std::lock_guard lock(mu_);
  return series_.at(i);
}

void SoakSampler::run() {
  const auto t0 = std::chrono::steady_clock::now();
  auto next = t0;
  while (!stop_) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t i = 0; i < pids_.size(); ++i) {
      auto s = sample_soak(pids_[i]);
      if (!s) continue;
      s->t_s = t;
      std::lock_guard lock(mu_);
      series_[i].push_back(*s);
    }
    next += std::chrono::seconds(1);
    while (!stop_ && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

nlohmann::json rss_slope_per_min(const std::vector<SoakSample>& s, double from_s) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& x : s) {
    if (x.t_s < from_s) continue;
    const double y = static_cast<double>(x.rss_bytes);
    n += 1;
    sx += x.t_s;
    sy += y;
    sxx += x.t_s * x.t_s;
    sxy += x.t_s * y;
  }
  const double den = n * sxx - sx * sx;
  if (n < 3 || den <= 0) return nullptr;
  return (n * sxy - sx * sy) / den * 60.0;
}

}  // namespace pushbench::loadgen
