# language: ar
خاصية: الـ communication مع الـ API Server متشفر، وكل واحد بيثبت هو مين بـ certificate
  "الـ communication بين الـ API Server وبين أي Component بيتم عن طريق Certificate / متشفر زي الـ PKI."
  الـ API Server بيعمل TLS بـ certificate من الـ cluster CA، واللي بيكلمه بيثبت هو مين بـ client
  certificate من نفس الـ CA. أي حد تاني بيترفض: زي الـ kube-apiserver، الـ TLS بيطلب client
  certificate من غير ما يفرضه، والـ certificate اللي مش من الـ cluster CA مش بتثبت حاجة (401)؛
  والـ plain HTTP بياخد نفس الرد اللي الـ HTTPS server بتاع Go بيديه.

  @CP-05
  سيناريو: الـ API Server بيثبت هو مين بـ certificate من الـ cluster CA
    اذاً الـ API Server بيقدم certificate من الـ cluster CA

  @CP-05
  سيناريو: اللي بيكلم الـ API من غير client certificate مبيتعملوش authentication
    عندما كلمت الـ API من غير client certificate
    اذاً الـ request اترفض بـ 401 Unauthorized

  @CP-05
  سيناريو: الـ client certificate من CA تانية مبتثبتش حد
    عندما كلمت الـ API بـ client certificate من CA تانية
    اذاً الـ request اترفض بـ 401 Unauthorized

  @CP-05
  سيناريو: الـ plain HTTP بيترفض
    عندما كلمت الـ API بـ plain HTTP
    اذاً الـ server رد بـ 400 في plain text: "Client sent an HTTP request to an HTTPS server."

  @CP-05 @trace
  سيناريو: الـ Components بتاعة الـ cluster بتعمل authentication بـ certificates من الـ cluster CA
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: scratch
      """
    عندما مسحت الـ namespace "scratch"
    اذاً خلال 10 ثواني الـ namespace "scratch" مبقتش موجودة
    و الـ trace فيه requests من "system:kube-controller-manager"
    و كل request في الـ trace اتعمله authentication بـ client certificate
