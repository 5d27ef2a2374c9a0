#include "servers/carrier/raw_connection.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "servers/carrier/route.hpp"

namespace pushbench::server {

RawConnection::RawConnection(ThreadContext& ctx, boost::asio::ip::tcp::socket socket)
    : StreamConnection(ctx, ConnStream(std::move(socket)), StreamSpec{}),
      handshake_timer_(std::in_place, ctx.ioc) {}

void RawConnection::start() {
  enlist();
  handshake_timer_->expires_after(std::chrono::seconds(10));
  handshake_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) static_cast<RawConnection&>(*self).close({});
  });
  boost::asio::async_read_until(
      stream_, *handshake_, '\n',
      [self = std::static_pointer_cast<RawConnection>(shared_from_this())](
          boost::system::error_code ec, std::size_t n) { self->on_handshake(ec, n); });
}

void RawConnection::on_handshake(boost::system::error_code ec, std::size_t n) {
  handshake_timer_.reset();  // cancels the wait
  if (ec == boost::asio::error::not_found) return reject("handshake line longer than 4096 bytes");
  if (ec) return close(ec);
  std::string line(static_cast<const char*>(handshake_->data().data()), n - 1);
  // Bytes after the line would be the client's stream traffic, which raw ignores.
  handshake_.reset();
  const auto query = parse_raw_handshake(line);
  if (!query) return reject("expected 'PUSHBENCH/1 <query>'");
  auto parsed = StreamSpec::parse_query(*query);
  if (auto* err = std::get_if<std::string>(&parsed)) return reject(*err);
  Route route{Route::Kind::stream, std::get<StreamSpec>(std::move(parsed))};
  if (auto err = check_spec(*ctx_.config, route.spec)) return reject(*err);
  if (auto err = resume_stream(ctx_, route, {})) return reject(err->reason);
  *spec_ = std::move(route.spec);
  begin_stream({});
}

void RawConnection::reject(std::string reason) {
  ctx_.stats.add(ctx_.stats.bad_requests);
  auto msg = std::make_shared<std::string>("ERROR " + std::move(reason) + "\n");
  boost::asio::async_write(
      stream_, boost::asio::buffer(*msg),
      [self = shared_from_this(), msg](boost::system::error_code, std::size_t) {
        static_cast<RawConnection&>(*self).close({});
      });
}

SharedBuffer RawConnection::frame_event(std::uint64_t, std::string_view data) {
  auto out = std::make_shared<std::string>();
  out->reserve(data.size() + 1);
  out->append(data);
  out->push_back('\n');
  return out;
}

}  // namespace pushbench::server
