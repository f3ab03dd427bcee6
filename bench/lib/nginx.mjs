/**
 * The start of an nginx.conf for a benchmark run from a scratch directory, as a non-root user:
 * every path nginx writes (pid, error log, temp files) is in `dir`, access logging is off, and a
 * keep-alive connection serves any number of requests. The caller adds its `server` (and any
 * `upstream`) blocks and closes the `http` block.
 */
export function nginxConfPrelude({ dir, workers, connections, errorLog = `${dir}/error.log` }) {
  return `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections ${connections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
`;
}
