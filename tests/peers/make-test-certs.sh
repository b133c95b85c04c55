#!/usr/bin/env bash
# make-test-certs.sh DIR: a throwaway CA, a server certificate for localhost/127.0.0.1, a client
# certificate (both signed by the CA), and the server identity as a PKCS12 store (password changeit).
set -euo pipefail
d=$1; mkdir -p "$d"; cd "$d"
q() { "$@" >/dev/null 2>&1; }
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=sluice-test-ca -keyout ca.key -out ca.pem
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.cnf
for n in server client; do
  q openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$n" -keyout $n.key -out $n.csr
  q openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.cnf -out $n.pem
done
q openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -passout pass:changeit -out server.p12
