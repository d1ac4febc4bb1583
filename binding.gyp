{
  "targets": [
    {
      "target_name": "nlkit",
      "sources": ["native/nlkit.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden"],
      "cflags_c": ["-std=gnu11"],
      "libraries": ["-lm"]
    },
    {
      "target_name": "nlkit-nsexec",
      "type": "executable",
      "sources": ["native/nsexec.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
      "cflags_c": ["-std=gnu11"]
    }
  ]
}
