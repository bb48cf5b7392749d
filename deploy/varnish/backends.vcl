# The application servers behind Varnish, taken in turn; one that fails its health check is left out until
# it answers again. Replace the addresses with your application machines' (deploy/README.md).
probe dateline_alive {
    .url = "/robots.txt";
    # A server busy rendering pages again after a purge answers slowly but answers: give it time, and take
    # it out only after most of the last checks failed.
    .interval = 3s;
    .timeout = 5s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

backend app1 {
    .host = "10.0.0.21";
    .port = "8000";
    .probe = dateline_alive;
}

backend app2 {
    .host = "10.0.0.22";
    .port = "8000";
    .probe = dateline_alive;
}

sub vcl_init {
    new apps = directors.round_robin();
    apps.add_backend(app1);
    apps.add_backend(app2);
}
