#include "loadgen/infra/proxy_config.hpp"

namespace pushbench::loadgen {

namespace {

/// Where Debian's libnginx-mod-nchan installs the module.
constexpr const char* kNchanModule = "/usr/lib/nginx/modules/ngx_nchan_module.so";

/// The directives every nchan location shares: the channel named by the query's `channel`.
constexpr const char* kChannel = "      nchan_channel_id $arg_channel;\n";

}  // namespace

std::string nchan_config(const ProxySetup& s) {
  const std::string listen = "127.0.0.1:" + std::to_string(s.port);
  // One foreground process like the proxies (nchan's shared-memory store works without a
  // master). Subscribers start at the next message (`newest`), not at the buffered ones, so a
  // subscriber gets what is published while it listens; the published body is the event data
  // as is (EventSource: `id: <nchan id>` + `data: <body>`; WebSocket: one text message).
  // keepalive_requests: nginx's default (1000) would close the publisher's pipelined
  // connection every 1000 events.
  return std::string("load_module ") + kNchanModule + ";\n" + nginx_preamble(s.dir) +
         "  nchan_shared_memory_size 128M;\n"
         "  server {\n"
         "    listen " +
         listen +
         ";\n"
         "    keepalive_requests 100000000;\n"
         "    keepalive_timeout 1h;\n"
         "    client_max_body_size 2m;\n"
         "    location = /health { return 200 \"ok\\n\"; }\n"
         "    location = /pub {\n      nchan_publisher http;\n" +
         kChannel +
         "      nchan_message_buffer_length 16;\n      nchan_message_timeout 60s;\n    }\n"
         "    location = /sse {\n      nchan_subscriber eventsource;\n" +
         kChannel +
         "      nchan_subscriber_first_message newest;\n    }\n"
         "    location = /ws {\n      nchan_subscriber websocket;\n" +
         kChannel +
         "      nchan_subscriber_first_message newest;\n    }\n"
         "  }\n}\n";
}

}  // namespace pushbench::loadgen
